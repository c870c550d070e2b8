/**
 * @tincan/libc — the single place where tincan calls into libc (through koffi).
 * Every binding throws SyscallError (errno + syscall + path) on failure.
 */
export { SyscallError, KernelFeatureError, errnoName } from './errors';
export { errno, check } from './lib';
export * from './constants';
export { openat2, mkdirat, mount, umount2 } from './fs';
