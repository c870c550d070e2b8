// A tiny eBPF interpreter for BPF_PROG_TYPE_CGROUP_DEVICE programs: only the opcodes the device
// filter compiler emits, with 64-bit registers and sign-extended immediates as in the kernel.

/** struct bpf_cgroup_dev_ctx: type 1 block / 2 char; access bits 1 mknod, 2 read, 4 write. */
export interface DeviceRequest {
  type: number;
  major: number;
  minor: number;
  access: number;
}

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const U32 = (v: bigint): bigint => BigInt.asUintN(32, v);

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

export function decode(program: Buffer): Insn[] {
  if (program.length % 8 !== 0) throw new Error(`program is ${program.length} bytes`);
  return Array.from({ length: program.length / 8 }, (_, i) => ({
    code: program.readUInt8(i * 8),
    dst: program.readUInt8(i * 8 + 1) & 0xf,
    src: program.readUInt8(i * 8 + 1) >> 4,
    off: program.readInt16LE(i * 8 + 2),
    imm: program.readInt32LE(i * 8 + 4),
  }));
}

const JUMPS = new Set([0x05, 0x55, 0x45]);

/** What the verifier's check_cfg insists on: jumps in range, no unreachable instruction, exits only. */
export function checkStructure(program: Buffer): void {
  const insns = decode(program);
  const reached = new Set<number>();
  const todo = [0];
  while (todo.length > 0) {
    const pc = todo.pop() as number;
    if (reached.has(pc)) continue;
    const insn = insns[pc];
    if (insn === undefined) throw new Error(`falls off the end at ${pc}`);
    reached.add(pc);
    if (insn.code === 0x95) continue;
    if (JUMPS.has(insn.code)) {
      if (insn.off < 0) throw new Error(`backward jump at ${pc}`);
      todo.push(pc + 1 + insn.off);
      if (insn.code === 0x05) continue;
    }
    todo.push(pc + 1);
  }
  const unreachable = insns.map((_, i) => i).filter((i) => !reached.has(i));
  if (unreachable.length > 0) throw new Error(`unreachable instructions ${unreachable.join(',')}`);
}

/** Run `program` on one request; returns R0 (1 allow, 0 deny). */
export function run(program: Buffer, req: DeviceRequest): number {
  const insns = decode(program);
  const ctx = [U32(BigInt((req.access << 16) | req.type)), BigInt(req.major), BigInt(req.minor)];
  const regs: (bigint | undefined)[] = [];
  let ctxReg: number | undefined = 1;
  const read = (r: number): bigint => {
    const v = regs[r];
    if (v === undefined) throw new Error(`R${r} read before it is set`);
    return v;
  };
  const set = (r: number, v: bigint): void => {
    regs[r] = v;
    if (r === ctxReg) ctxReg = undefined;
  };
  for (let pc = 0, steps = 0; steps < 100_000; steps++) {
    const insn = insns[pc];
    if (insn === undefined) throw new Error(`pc ${pc} out of range`);
    const imm64 = U64(BigInt(insn.imm)); // immediates are sign-extended to 64 bits
    let next = pc + 1;
    switch (insn.code) {
      case 0x61: // ldxw dst = *(u32 *)(src + off)
        if (insn.src !== ctxReg || insn.off % 4 !== 0 || ctx[insn.off / 4] === undefined) throw new Error(`bad ctx load at ${pc}`);
        set(insn.dst, ctx[insn.off / 4] as bigint);
        break;
      case 0x54: // and32 dst &= imm (zero-extends)
        set(insn.dst, U32(read(insn.dst) & imm64));
        break;
      case 0x74: // rsh32 dst >>= imm
        set(insn.dst, U32(read(insn.dst)) >> BigInt(insn.imm));
        break;
      case 0xb7: // mov64 dst = imm
        set(insn.dst, imm64);
        break;
      case 0x05: // ja
        next += insn.off;
        break;
      case 0x55: // jne dst, imm
        if (read(insn.dst) !== imm64) next += insn.off;
        break;
      case 0x45: // jset dst, imm
        if ((read(insn.dst) & imm64) !== 0n) next += insn.off;
        break;
      case 0x95: // exit
        return Number(read(0));
      default:
        throw new Error(`opcode 0x${insn.code.toString(16)} at ${pc} not supported`);
    }
    pc = next;
  }
  throw new Error('no exit after 100000 steps');
}
