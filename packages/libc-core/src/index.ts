/**
 * @tincan/libc-core — what tincan's packages share about the Linux ABI, with no dependency and no
 * native code: constants (clone, open, mount, flock, bpf, capability flags; syscall numbers; rlimits),
 * errno names, the typed errors, bounded one-line quoting of inputs in messages, and the loader of @tincan/libc (the koffi bindings) for the packages
 * that have it as an optional peer.
 */
export * from './constants';
export { errnoName, SyscallError, KernelFeatureError, LibcNotInstalledError } from './errors';
export { requireLibc } from './optional-libc';
export { bounded, oneLine, quote } from './text';
