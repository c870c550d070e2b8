/**
 * @tincan/libc — the single place where tincan calls into libc (through koffi).
 * Every binding throws SyscallError (errno + syscall + path) on failure. The constants and errors
 * live in the zero-dependency @tincan/libc-core and are re-exported here, so importers need one name.
 */
export * from '@tincan/libc-core';
export { errno, check } from './lib';
export { openat2, mkdirat, umount2 } from './fs';
export { capget, capset, type CapabilityMasks } from './caps';
export { nsGetType } from './ns';
export { flock, tryFlock } from './lock';
export * from './at';
export { lgetxattr } from './xattr';
export { bpfProgLoad, bpfProgAttach, type BpfProgLoad } from './bpf';
