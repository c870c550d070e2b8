/** The CPU architectures tincan compiles filters for (the names the kernel's uname -m uses). */
export type Arch = 'x86_64' | 'aarch64';

/** What the filter does with a matching system call. */
export type Action = 'allow' | 'errno' | 'kill_process' | 'kill_thread' | 'trap' | 'log' | 'trace';

/**
 * libseccomp's comparison operators. Arguments compare as unsigned numbers of the width the kernel reads:
 * 64 bits, or 32/16 for the int and umode_t arguments listed in arg-widths.ts.
 */
export type ComparisonOp = 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE' | 'MASKED_EQ';

/** One test on a system call argument: `args[index] op value` (MASKED_EQ: `(args[index] & value) == valueTwo`). */
export interface ArgCondition {
  readonly index: 0 | 1 | 2 | 3 | 4 | 5;
  readonly value: bigint | number;
  readonly valueTwo?: bigint | number;
  readonly op: ComparisonOp;
}

/** Capability / architecture gates of a rule (docker's `includes` and `excludes`). */
export interface RuleFilter {
  readonly caps?: readonly string[];
  readonly arches?: readonly Arch[];
}

/** `action` for the syscalls `names` when every condition in `args` holds (all of them: AND). */
export interface SyscallRule {
  readonly names: readonly string[];
  readonly action: Action;
  /** errno for 'errno' (default EPERM), or the message number for 'trace' (default EPERM, as runc). */
  readonly errno?: number;
  readonly args?: readonly ArgCondition[];
  /** The rule applies only if the target has every one of these caps and is one of these arches. */
  readonly includes?: RuleFilter;
  /** The rule is dropped if the target has any of these caps or is one of these arches. */
  readonly excludes?: RuleFilter;
}

/** A seccomp profile: rules are tried in order per syscall, first match wins, else `defaultAction`. */
export interface SeccompProfile {
  readonly defaultAction: Action;
  /** errno of an 'errno' default action (default EPERM). */
  readonly defaultErrno?: number;
  /** The architectures the profile is meant for; compiling for another one is an error. */
  readonly architectures?: readonly Arch[];
  readonly syscalls: readonly SyscallRule[];
}

/** The target of one compilation. */
export interface CompileOptions {
  readonly arch: Arch;
  /** The container's capabilities (e.g. 'CAP_SYS_ADMIN'), for includes.caps / excludes.caps; default none. */
  readonly capabilities?: readonly string[];
}
