/** Classic BPF and seccomp ABI constants (linux/bpf_common.h, linux/filter.h, linux/seccomp.h). */

// instruction classes, sizes, modes and operations (or-ed together into sock_filter.code)
export const BPF_LD = 0x00;
export const BPF_ALU = 0x04;
export const BPF_JMP = 0x05;
export const BPF_RET = 0x06;
export const BPF_W = 0x00;
export const BPF_ABS = 0x20;
export const BPF_K = 0x00;
export const BPF_AND = 0x50;
export const BPF_JA = 0x00;
export const BPF_JEQ = 0x10;
export const BPF_JGT = 0x20;
export const BPF_JGE = 0x30;
export const BPF_JSET = 0x40;

/** The kernel refuses longer filters (include/uapi/linux/filter.h). */
export const BPF_MAXINSNS = 4096;
/** sizeof(struct sock_filter): u16 code, u8 jt, u8 jf, u32 k. */
export const SOCK_FILTER_SIZE = 8;
/** Conditional jump offsets are one byte. */
export const MAX_SHORT_JUMP = 255;

// seccomp filter return values (the high 16 bits select the action, the low 16 bits carry data)
export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_KILL_THREAD = 0x00000000;
export const SECCOMP_RET_TRAP = 0x00030000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_LOG = 0x7ffc0000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;
export const SECCOMP_RET_DATA = 0x0000ffff;

// struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
export const SECCOMP_DATA_NR = 0;
export const SECCOMP_DATA_ARCH = 4;
const SECCOMP_DATA_ARGS = 16;

/** Offset of the low (lo) or high (hi) 32-bit half of args[index]: both supported arches are little endian. */
export function argOffset(index: number, half: 'lo' | 'hi'): number {
  return SECCOMP_DATA_ARGS + 8 * index + (half === 'hi' ? 4 : 0);
}
