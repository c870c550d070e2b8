// A classic-BPF interpreter for seccomp programs, written independently of the compiler (its own opcode
// numbers, from linux/bpf_common.h), so the tests check the compiler against the kernel's semantics.

/** The input the kernel hands a seccomp filter (struct seccomp_data). */
export interface SeccompData {
  nr: number;
  arch: number;
  args?: ReadonlyArray<bigint | number>;
  instructionPointer?: bigint;
}

/** The decoded return value of a filter. */
export type Verdict =
  | { action: 'allow' | 'kill_process' | 'kill_thread' | 'log' }
  | { action: 'errno' | 'trap' | 'trace'; data: number };

const LD_W_ABS = 0x20;
const ALU_AND_K = 0x54;
const JMP_JA = 0x05;
const JMP_JEQ_K = 0x15;
const JMP_JGT_K = 0x25;
const JMP_JGE_K = 0x35;
const JMP_JSET_K = 0x45;
const RET_K = 0x06;

/** Pack struct seccomp_data (64 bytes, little endian). */
export function packSeccompData(d: SeccompData): Buffer {
  const buf = Buffer.alloc(64);
  buf.writeInt32LE(d.nr | 0, 0);
  buf.writeUInt32LE(d.arch >>> 0, 4);
  buf.writeBigUInt64LE(d.instructionPointer ?? 0n, 8);
  (d.args ?? []).forEach((a, i) => buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(a)), 16 + 8 * i));
  return buf;
}

/** Run `prog` (struct sock_filter[]) on `input`; returns the filter's 32-bit return value. */
export function run(prog: Buffer, input: SeccompData): number {
  const data = packSeccompData(input);
  const count = prog.length / 8;
  let a = 0;
  let pc = 0;
  for (let steps = 0; steps <= count; steps++) {
    if (pc >= count) throw new Error(`fell off the end of the program at ${pc}`);
    const o = pc * 8;
    const code = prog.readUInt16LE(o);
    const jt = prog.readUInt8(o + 2);
    const jf = prog.readUInt8(o + 3);
    const k = prog.readUInt32LE(o + 4);
    pc++;
    switch (code) {
      case LD_W_ABS:
        // the kernel's seccomp_check_filter only allows aligned 32-bit loads inside seccomp_data
        if (k % 4 !== 0 || k + 4 > 64) throw new Error(`bad load offset ${k} at ${pc - 1}`);
        a = data.readUInt32LE(k);
        break;
      case ALU_AND_K:
        a = (a & k) >>> 0;
        break;
      case JMP_JA:
        pc += k;
        break;
      case JMP_JEQ_K:
        pc += a === k ? jt : jf;
        break;
      case JMP_JGT_K:
        pc += a > k ? jt : jf;
        break;
      case JMP_JGE_K:
        pc += a >= k ? jt : jf;
        break;
      case JMP_JSET_K:
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case RET_K:
        return k;
      default:
        throw new Error(`unsupported opcode 0x${code.toString(16)} at ${pc - 1}`);
    }
  }
  throw new Error('program did not return');
}

/** Decode a seccomp return value the way the kernel does (action = high 16 bits, data = low 16). */
export function decode(ret: number): Verdict {
  const action = ret & 0xffff0000;
  const data = ret & 0xffff;
  if (ret === 0x7fff0000) return { action: 'allow' };
  if (ret === 0x80000000) return { action: 'kill_process' };
  if (ret === 0x00000000) return { action: 'kill_thread' };
  if (ret === 0x7ffc0000) return { action: 'log' };
  if (action === 0x00050000) return { action: 'errno', data };
  if (action === 0x00030000) return { action: 'trap', data };
  if ((ret & 0xfff00000) >>> 0 === 0x7ff00000) return { action: 'trace', data };
  throw new Error(`unexpected return value 0x${(ret >>> 0).toString(16)}`);
}

/** Run and decode in one step. */
export function verdict(prog: Buffer, input: SeccompData): Verdict {
  return decode(run(prog, input) >>> 0);
}

/** Every jump lands inside the program and every path ends in RET (what the kernel verifier demands). */
export function checkStructure(prog: Buffer): void {
  const count = prog.length / 8;
  for (let pc = 0; pc < count; pc++) {
    const code = prog.readUInt16LE(pc * 8);
    const targets = code === JMP_JA ? [prog.readUInt32LE(pc * 8 + 4)]
      : (code & 0x07) === 0x05 ? [prog.readUInt8(pc * 8 + 2), prog.readUInt8(pc * 8 + 3)] : [];
    for (const off of targets) if (pc + 1 + off >= count) throw new Error(`jump out of the program at ${pc}`);
  }
  if (count === 0 || prog.readUInt16LE((count - 1) * 8) !== RET_K) throw new Error('the last instruction is not a return');
}
