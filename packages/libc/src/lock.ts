import { constants } from 'node:os';
import { LOCK_EX, LOCK_NB, LOCK_SH, SyscallError } from '@tincan/libc-core';
import { errno, fn } from './lib';

const { EWOULDBLOCK, EINTR } = constants.errno;

const flockC = fn<(fd: number, op: number) => number>('int flock(int fd, int op)');

/** flock(2): take (LOCK_SH/LOCK_EX) or drop (LOCK_UN) an advisory lock on an open file, waiting if needed; throws on failure. */
export function flock(fd: number, op: number): void {
  // flock(2): advisory whole-file lock tied to the open file description, released when its last fd closes
  if (flockC(fd, op) !== 0) throw new SyscallError('flock', errno());
}

/**
 * Non-blocking flock(2): true when the lock was taken, false when another open file description
 * holds a conflicting one (so callers can wait without blocking Node's event loop).
 */
export function tryFlock(fd: number, op: typeof LOCK_SH | typeof LOCK_EX): boolean {
  // flock(2) with LOCK_NB: fails with EWOULDBLOCK instead of sleeping in the kernel
  if (flockC(fd, op | LOCK_NB) === 0) return true;
  const e = errno();
  if (e === EWOULDBLOCK || e === EINTR) return false;
  throw new SyscallError('flock', e);
}
