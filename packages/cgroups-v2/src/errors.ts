import { errnoName } from '@tincan/libc';

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
