import { BPF_INSN_SIZE } from '@tincan/libc-core';
import { check, koffi, lib, struct, type Koffi } from './lib';

// bpf(2) commands (include/uapi/linux/bpf.h)
const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;

// __NR_bpf: glibc has no bpf() wrapper; this file is its only caller
const SYS_BPF = process.arch === 'arm64' ? 280 : 321;

type SyscallFn = (nr: number, ...args: unknown[]) => number | bigint;
let syscallFn: SyscallFn | undefined;
function syscall(): SyscallFn {
  syscallFn ??= lib().func('long syscall(long nr, ...)') as unknown as SyscallFn;
  return syscallFn;
}

/** The BPF_PROG_LOAD part of union bpf_attr, up to expected_attach_type (the kernel zero-fills the rest). */
function progLoadAttr(): Koffi.TypeObject {
  return struct('bpf_attr_prog_load', {
    prog_type: 'uint32',
    insn_cnt: 'uint32',
    insns: 'void *',
    license: 'const char *',
    log_level: 'uint32',
    log_size: 'uint32',
    log_buf: 'void *',
    kern_version: 'uint32',
    prog_flags: 'uint32',
    prog_name: 'char[16]',
    prog_ifindex: 'uint32',
    expected_attach_type: 'uint32',
  });
}

/** The BPF_PROG_ATTACH part of union bpf_attr. */
function progAttachAttr(): Koffi.TypeObject {
  return struct('bpf_attr_prog_attach', {
    target_fd: 'uint32',
    attach_bpf_fd: 'uint32',
    attach_type: 'uint32',
    attach_flags: 'uint32',
    replace_bpf_fd: 'uint32',
  });
}

export interface BpfProgLoad {
  /** BPF_PROG_TYPE_*. */
  progType: number;
  /** struct bpf_insn[], BPF_INSN_SIZE bytes each. */
  insns: Buffer;
  /** License string; the kernel refuses GPL-only helpers without a GPL-compatible one. */
  license: string;
  /** Program name shown by bpftool (up to 15 characters of [A-Za-z0-9_.]). */
  name?: string;
  /** Receives the verifier's log (log_level 1) when given; a too small buffer fails the load with ENOSPC. */
  log?: Buffer;
}

/** bpf(BPF_PROG_LOAD): verify and load a program; returns its fd (close-on-exec; close it when done). */
export function bpfProgLoad(prog: BpfProgLoad): number {
  if (prog.insns.length % BPF_INSN_SIZE !== 0) throw new RangeError(`insns is ${prog.insns.length} bytes, not a multiple of ${BPF_INSN_SIZE}`);
  const attrType = progLoadAttr();
  const attr = {
    prog_type: prog.progType,
    insn_cnt: prog.insns.length / BPF_INSN_SIZE,
    insns: prog.insns,
    license: prog.license,
    log_level: prog.log === undefined ? 0 : 1,
    log_size: prog.log?.length ?? 0,
    log_buf: prog.log ?? null,
    kern_version: 0,
    prog_flags: 0,
    prog_name: prog.name ?? '',
    prog_ifindex: 0,
    expected_attach_type: 0, // BPF_PROG_TYPE_CGROUP_DEVICE is attached by type alone
  };
  // bpf(BPF_PROG_LOAD): the kernel copies the instructions, runs the verifier and returns a program fd
  const ret = syscall()(SYS_BPF, 'int', BPF_PROG_LOAD, 'bpf_attr_prog_load *', attr, 'unsigned int', koffi().sizeof(attrType));
  return check(ret, 'bpf(BPF_PROG_LOAD)');
}

/**
 * bpf(BPF_PROG_ATTACH): attach program `progFd` to `targetFd` (for cgroup attach types, an open cgroup2
 * directory; `path` names it in errors). The attachment holds the program: `progFd` may be closed after.
 */
export function bpfProgAttach(targetFd: number, progFd: number, attachType: number, flags: number, path?: string): void {
  const attrType = progAttachAttr();
  const attr = { target_fd: targetFd, attach_bpf_fd: progFd, attach_type: attachType, attach_flags: flags, replace_bpf_fd: 0 };
  // bpf(BPF_PROG_ATTACH): run the program for every event of `attachType` in the target cgroup and its descendants
  check(syscall()(SYS_BPF, 'int', BPF_PROG_ATTACH, 'bpf_attr_prog_attach *', attr, 'unsigned int', koffi().sizeof(attrType)), 'bpf(BPF_PROG_ATTACH)', path);
}
