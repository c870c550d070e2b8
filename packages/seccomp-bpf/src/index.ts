/**
 * @tincan/seccomp-bpf — seccomp profile → classic BPF program (struct sock_filter[]) for
 * seccomp(SECCOMP_SET_MODE_FILTER). No libseccomp: the compiler, the syscall tables and the profiles are ours.
 */
export type {
  Action, Arch, ArgCondition, CompileOptions, ComparisonOp, RuleFilter, SeccompProfile, SyscallRule,
} from './types';
export { compile } from './compile';
export { loadProfile } from './load-profile';
export { profiles } from './profiles';
export { syscallName, syscallNumber } from './syscalls';
export { nativeArch, AUDIT_ARCH } from './arch';
export { SeccompProfileError } from './errors';
