/**
 * @tincan/libc — the single place where tincan calls into libc (through koffi).
 * Every binding throws SyscallError (errno + syscall + path) on failure.
 */
export { SyscallError, KernelFeatureError, errnoName } from './errors';
export { errno, check } from './lib';
export * from './constants';
export { openat2, mkdirat, umount2 } from './fs';
export { capget, capset, LINUX_CAPABILITY_VERSION_3, type CapabilityMasks } from './caps';
export { nsGetType, NS_GET_NSTYPE } from './ns';
export { flock, tryFlock, LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN } from './lock';
export * from './at';
export { lgetxattr } from './xattr';
export { bpfProgLoad, bpfProgAttach, BPF_PROG_TYPE_CGROUP_DEVICE, BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI, BPF_INSN_SIZE, type BpfProgLoad } from './bpf';
