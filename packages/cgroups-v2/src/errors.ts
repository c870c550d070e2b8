import { errnoName } from '@tincan/libc-core';

/** The host cannot give tincan the cgroup v2 it asked for (no cgroup2 mount, or controllers missing). */
export class CgroupUnavailableError extends Error {
  override readonly name = 'CgroupUnavailableError';
  constructor(
    readonly mountpoint: string | null,
    readonly missing: readonly string[],
    readonly available: readonly string[],
  ) {
    super(unavailableMessage(mountpoint, missing, available));
  }
}

function unavailableMessage(mountpoint: string | null, missing: readonly string[], available: readonly string[]): string {
  const hint = 'run with --cgroups off to start containers without cgroup limits';
  if (mountpoint === null) return `no cgroup2 filesystem is mounted (see /proc/self/mountinfo); ${hint}`;
  const has = available.length > 0 ? available.join(' ') : 'none';
  return `cgroup v2 controller(s) ${missing.join(', ')} not available at ${mountpoint} (it has: ${has}); ${hint}`;
}

/** A write to a cgroupfs file failed: carries the file, the value written and the kernel's errno. */
export class CgroupWriteError extends Error {
  override readonly name = 'CgroupWriteError';
  readonly code: string;
  constructor(
    readonly path: string,
    readonly value: string,
    readonly errno: number,
  ) {
    const code = errnoName(errno);
    super(`write ${JSON.stringify(value)} to ${path}: ${code}`);
    this.code = code;
  }
}

/** A limit or CLI value is out of range or malformed. */
export class CgroupLimitError extends Error {
  override readonly name = 'CgroupLimitError';
  constructor(
    readonly setting: string,
    readonly value: string,
    expected: string,
  ) {
    super(`invalid ${setting} value ${JSON.stringify(value)}: expected ${expected}`);
  }
}

/** The kernel did not reach a cgroup state (frozen, thawed, empty) in time. */
export class CgroupTimeoutError extends Error {
  override readonly name = 'CgroupTimeoutError';
  constructor(
    readonly path: string,
    readonly waitingFor: string,
    readonly timeoutMs: number,
  ) {
    super(`${path}: still not ${waitingFor} after ${timeoutMs} ms`);
  }
}

/** Why bpf(2) refused, by errno: the usual causes on a host without BPF cgroup device support. */
function deviceFilterHint(syscall: string, errno: number, verifierLog: string): string | undefined {
  const code = errnoName(errno);
  if (code === 'ENOSYS') return 'the kernel has no bpf(2): CONFIG_BPF_SYSCALL is off';
  if (code === 'EPERM') {
    return 'bpf(2) needs CAP_SYS_ADMIN (or CAP_BPF and CAP_NET_ADMIN) and is refused under a seccomp filter that blocks it; before Linux 5.11 RLIMIT_MEMLOCK also limits it';
  }
  if (code === 'EBADF' && syscall === 'bpf(BPF_PROG_ATTACH)') return 'not a cgroup2 directory';
  if (verifierLog !== '') {
    const lines = verifierLog.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('processed '));
    return `the verifier refused the program: ${lines.at(-1) ?? ''}`;
  }
  if (code === 'EINVAL') return 'the kernel lacks BPF_PROG_TYPE_CGROUP_DEVICE: CONFIG_CGROUP_BPF is off';
  return undefined;
}

/** The kernel refused to load or attach a cgroup's device filter (its BPF_CGROUP_DEVICE program). */
export class CgroupDeviceFilterError extends Error {
  override readonly name = 'CgroupDeviceFilterError';
  readonly code: string;
  constructor(
    /** The cgroup directory. */
    readonly path: string,
    /** The failed call: 'open', 'bpf(BPF_PROG_LOAD)' or 'bpf(BPF_PROG_ATTACH)'. */
    readonly syscall: string,
    readonly errno: number,
    /** The verifier's log when it refused the program, else ''. */
    readonly verifierLog = '',
  ) {
    const code = errnoName(errno);
    const hint = deviceFilterHint(syscall, errno, verifierLog);
    super(`cannot install the device filter on ${path}: ${syscall}: ${code}${hint === undefined ? '' : ` (${hint})`}`);
    this.code = code;
  }
}
