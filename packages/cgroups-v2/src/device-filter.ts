import { closeSync, constants, openSync } from 'node:fs';
import type * as Libc from '@tincan/libc';
import { BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, BPF_PROG_TYPE_CGROUP_DEVICE, SyscallError, requireLibc } from '@tincan/libc-core';
import { errnoOf } from './cgroupfs';
import { CgroupDeviceFilterError } from './errors';

/** bpf(2) through koffi is in @tincan/libc, an optional peer: only a device allowlist needs it. */
function libc(): typeof Libc {
  return requireLibc<typeof Libc>(__filename, '@tincan/cgroups-v2', 'a device allowlist (bpf(2))');
}

// runc's license string: the program calls no GPL-only helper, but the kernel wants one
const LICENSE = 'Apache';
const VERIFIER_LOG_BYTES = 1 << 16;

/** The errno of a libc SyscallError; anything else is a bug, rethrown. */
function syscallErrno(err: unknown): number {
  if (err instanceof SyscallError) return err.errno;
  throw err;
}

/** BPF_PROG_LOAD; on failure loads once more with a log buffer, to say what the verifier refused. */
function loadProgram(path: string, insns: Buffer): number {
  const { bpfProgLoad } = libc();
  const prog: Libc.BpfProgLoad = { progType: BPF_PROG_TYPE_CGROUP_DEVICE, insns, license: LICENSE, name: 'tincan_devices' };
  let errno: number;
  try {
    return bpfProgLoad(prog);
  } catch (err) {
    errno = syscallErrno(err);
  }
  const log = Buffer.alloc(VERIFIER_LOG_BYTES);
  try {
    return bpfProgLoad({ ...prog, log });
  } catch (err) {
    syscallErrno(err);
  }
  const end = log.indexOf(0);
  throw new CgroupDeviceFilterError(path, 'bpf(BPF_PROG_LOAD)', errno, log.toString('utf8', 0, end === -1 ? log.length : end).trim());
}

/**
 * Load a compiled device filter and attach it to cgroup directory `path` with BPF_F_ALLOW_MULTI
 * (programs attached to ancestors keep running too: every one must allow an access).
 */
export function attachDeviceFilter(path: string, insns: Buffer): void {
  const { bpfProgAttach } = libc();
  let dirFd: number;
  try {
    dirFd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
  } catch (err) {
    throw new CgroupDeviceFilterError(path, 'open', errnoOf(err));
  }
  try {
    const progFd = loadProgram(path, insns);
    try {
      bpfProgAttach(dirFd, progFd, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, path);
    } catch (err) {
      throw new CgroupDeviceFilterError(path, 'bpf(BPF_PROG_ATTACH)', syscallErrno(err));
    } finally {
      // the attachment holds the program until the cgroup is removed
      closeSync(progFd);
    }
  } finally {
    closeSync(dirFd);
  }
}
