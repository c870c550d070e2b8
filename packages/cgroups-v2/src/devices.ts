import { BPF_INSN_SIZE } from '@tincan/libc-core';
import { CgroupLimitError } from './errors';

/** One entry of OCI `linux.resources.devices`. */
export interface DeviceRule {
  allow: boolean;
  /** 'c' char, 'b' block, 'a' (or missing) both. */
  type?: 'a' | 'b' | 'c';
  /** Missing: any major. */
  major?: number;
  /** Missing: any minor. */
  minor?: number;
  /** Any of 'r' (open for reading), 'w' (open for writing), 'm' (mknod); required, as runc requires it. */
  access?: string;
}

const defaultRules: DeviceRule[] = [
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, // /dev/null
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' }, // /dev/zero
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' }, // /dev/full
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' }, // /dev/random
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' }, // /dev/urandom
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' }, // /dev/tty
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }, // /dev/console
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' }, // /dev/ptmx
  { allow: true, type: 'c', major: 136, access: 'rwm' }, // /dev/pts/*
];
/** runc's and docker's default allowlist: mknod of any node, and rwm on the usual /dev nodes. */
export const DEFAULT_DEVICE_RULES: readonly Readonly<DeviceRule>[] = Object.freeze(defaultRules.map((r) => Object.freeze(r)));

// struct bpf_cgroup_dev_ctx.access_type: (access << 16) | type (include/uapi/linux/bpf.h)
const DEV_BLOCK = 1;
const DEV_CHAR = 2;
const ACCESS_BITS = { m: 1, r: 2, w: 4 } as const;
// the kernel's MAJORBITS/MINORBITS: every valid number also fits a jump's signed 32-bit immediate
const MAX_MAJOR = 0xfff;
const MAX_MINOR = 0xfffff;
// BPF_MAXINSNS: the limit for loaders without CAP_BPF, and short enough for 16-bit jump offsets
const MAX_INSNS = 4096;

interface Rule {
  allow: boolean;
  /** DEV_BLOCK, DEV_CHAR, or 0 for both. */
  type: number;
  major: number | undefined;
  minor: number | undefined;
  access: number;
}

function deviceNumber(index: number, field: 'major' | 'minor', value: number | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CgroupLimitError(`devices[${index}].${field}`, String(value), `an integer from 0 to ${max}, or no ${field} for any`);
  }
  return value;
}

function parseRule(rule: DeviceRule, index: number): Rule {
  if (typeof rule.allow !== 'boolean') throw new CgroupLimitError(`devices[${index}].allow`, String(rule.allow), 'true or false');
  const type = rule.type ?? 'a';
  if (type !== 'a' && type !== 'b' && type !== 'c') throw new CgroupLimitError(`devices[${index}].type`, String(type), "'a', 'b' or 'c'");
  const access = rule.access ?? '';
  if (!/^[rwm]+$/.test(access)) throw new CgroupLimitError(`devices[${index}].access`, access, "a non-empty combination of 'r', 'w' and 'm'");
  return {
    allow: rule.allow,
    type: type === 'b' ? DEV_BLOCK : type === 'c' ? DEV_CHAR : 0,
    major: deviceNumber(index, 'major', rule.major, MAX_MAJOR),
    minor: deviceNumber(index, 'minor', rule.minor, MAX_MINOR),
    access: [...access].reduce((bits, c) => bits | ACCESS_BITS[c as keyof typeof ACCESS_BITS], 0),
  };
}

/**
 * Access bits that the same rules decide, merged (r and w usually are): each group needs one rule
 * chain in the program. A group's chain is the rules naming its bits, last rule first.
 */
function accessGroups(rules: Rule[]): { bits: number; chain: Rule[] }[] {
  const groups = new Map<string, { bits: number; chain: Rule[] }>();
  for (const bit of Object.values(ACCESS_BITS)) {
    const indices = rules.flatMap((r, i) => ((r.access & bit) !== 0 ? [i] : [])).reverse();
    const key = indices.join(',');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { bits: bit, chain: indices.map((i) => rules[i]) });
    else group.bits |= bit;
  }
  return [...groups.values()];
}

// eBPF registers and opcodes (include/uapi/linux/bpf.h, bpf_common.h)
const R0 = 0;
const R1 = 1;
const R2 = 2;
const R3 = 3;
const R4 = 4;
const R5 = 5;
const LDX_MEM_W = 0x61;
const ALU32_AND_K = 0x54;
const ALU32_RSH_K = 0x74;
const ALU64_MOV_K = 0xb7;
const JMP_JA = 0x05;
const JMP_JNE_K = 0x55;
const JMP_JSET_K = 0x45;
const JMP_EXIT = 0x95;

interface Label {
  at?: number;
  used: boolean;
}
interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  to?: Label;
}

/** A forward-only eBPF assembler: jumps name labels, resolved to offsets when encoded. */
class Assembler {
  private readonly insns: Insn[] = [];

  emit(code: number, dst: number, src: number, off: number, imm: number): void {
    this.insns.push({ code, dst, src, off, imm });
  }

  jump(code: number, dst: number, imm: number, to: Label): void {
    to.used = true;
    this.insns.push({ code, dst, src: 0, off: 0, imm, to });
  }

  bind(label: Label): void {
    label.at = this.insns.length;
  }

  encode(ruleCount: number): Buffer {
    if (this.insns.length > MAX_INSNS) {
      throw new CgroupLimitError('devices', `${ruleCount} rules`, `rules that compile to at most ${MAX_INSNS} eBPF instructions (these need ${this.insns.length})`);
    }
    const out = Buffer.alloc(this.insns.length * BPF_INSN_SIZE);
    this.insns.forEach((insn, i) => {
      if (insn.to !== undefined && insn.to.at === undefined) throw new Error('device filter: jump to an unbound label');
      // a jump's offset counts from the instruction after it
      const off = insn.to?.at === undefined ? insn.off : insn.to.at - (i + 1);
      out.writeUInt8(insn.code, i * BPF_INSN_SIZE);
      out.writeUInt8((insn.src << 4) | insn.dst, i * BPF_INSN_SIZE + 1);
      out.writeInt16LE(off, i * BPF_INSN_SIZE + 2);
      out.writeInt32LE(insn.imm, i * BPF_INSN_SIZE + 4);
    });
    return out;
  }
}

function label(): Label {
  return { used: false };
}

/**
 * Compile OCI device rules into a BPF_PROG_TYPE_CGROUP_DEVICE program (struct bpf_insn[]).
 * Default deny; each requested access (r, w, m) is decided by the LAST rule that matches the device's
 * type, major and minor and names that access; a request is allowed only if all its accesses are.
 * Type 'a' (or none) matches block and char devices; a missing major or minor matches any.
 * Throws CgroupLimitError for a malformed rule.
 */
export function compileDeviceFilter(rules: readonly DeviceRule[]): Buffer {
  const parsed = rules.map(parseRule);
  const asm = new Assembler();
  // R2 = device type, R3 = requested access, R4 = major, R5 = minor (struct bpf_cgroup_dev_ctx)
  asm.emit(LDX_MEM_W, R2, R1, 0, 0);
  asm.emit(ALU32_AND_K, R2, 0, 0, 0xffff);
  asm.emit(LDX_MEM_W, R3, R1, 0, 0);
  asm.emit(ALU32_RSH_K, R3, 0, 0, 16);
  asm.emit(LDX_MEM_W, R4, R1, 4, 0);
  asm.emit(LDX_MEM_W, R5, R1, 8, 0);
  const deny = label();
  for (const { bits, chain } of accessGroups(parsed)) {
    const check = label();
    const next = label();
    asm.jump(JMP_JSET_K, R3, bits, check);
    asm.jump(JMP_JA, 0, 0, next);
    asm.bind(check);
    let unconditional = false;
    for (const rule of chain) {
      const skip = label();
      if (rule.type !== 0) asm.jump(JMP_JNE_K, R2, rule.type, skip);
      if (rule.major !== undefined) asm.jump(JMP_JNE_K, R4, rule.major, skip);
      if (rule.minor !== undefined) asm.jump(JMP_JNE_K, R5, rule.minor, skip);
      asm.jump(JMP_JA, 0, 0, rule.allow ? next : deny);
      asm.bind(skip);
      // a rule that matches every device ends the chain: the verifier refuses unreachable instructions
      unconditional = !skip.used;
      if (unconditional) break;
    }
    if (!unconditional) asm.jump(JMP_JA, 0, 0, deny);
    asm.bind(next);
  }
  asm.emit(ALU64_MOV_K, R0, 0, 0, 1);
  asm.emit(JMP_EXIT, 0, 0, 0, 0);
  if (deny.used) {
    asm.bind(deny);
    asm.emit(ALU64_MOV_K, R0, 0, 0, 0);
    asm.emit(JMP_EXIT, 0, 0, 0, 0);
  }
  return asm.encode(rules.length);
}
