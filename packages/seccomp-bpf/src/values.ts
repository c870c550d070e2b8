import type { ArgWidth } from './arg-widths';
import { SeccompProfileError } from './errors';

/** The kernel caps errno return values at MAX_ERRNO. */
export const MAX_ERRNO = 4095;
const U64 = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

/** An argument value as the unsigned 64-bit pattern the kernel compares (negative → two's complement). */
export function toU64(value: bigint | number, path: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new SeccompProfileError(path, `${value} is not an exact integer (use a bigint above 2^53)`);
  }
  const v = BigInt(value);
  if (v > U64 || v < I64_MIN) throw new SeccompProfileError(path, `${value} does not fit in 64 bits`);
  return BigInt.asUintN(64, v);
}

/**
 * `v` (a 64-bit pattern from toU64) as the `width`-bit value the kernel reads. It must fit, unsigned or as a
 * negative number (e.g. AT_FDCWD): bits the kernel never sees cannot be matched.
 */
export function toWidth(v: bigint, width: ArgWidth, path: string, what: string): bigint {
  const low = BigInt.asUintN(width, v);
  if (v === low || v === BigInt.asUintN(64, BigInt.asIntN(width, v))) return low;
  throw new SeccompProfileError(path, `0x${v.toString(16)} does not fit in ${what}: the kernel reads ${width} bits`);
}

/** The 32-bit halves of a 64-bit value, in the order BPF compares them. */
export function halves(v: bigint): { hi: number; lo: number } {
  return { hi: Number(v >> 32n), lo: Number(v & 0xffffffffn) };
}

export function checkErrno(errno: number, path: string): number {
  if (!Number.isInteger(errno) || errno < 0 || errno > MAX_ERRNO) {
    throw new SeccompProfileError(path, `errno must be an integer 0..${MAX_ERRNO}, got ${errno}`);
  }
  return errno;
}

export function checkArgIndex(index: number, path: string): void {
  if (!Number.isInteger(index) || index < 0 || index > 5) {
    throw new SeccompProfileError(path, `argument index must be 0..5, got ${index}`);
  }
}
