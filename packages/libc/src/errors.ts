import { constants } from 'node:os';

/** errno number → symbolic name (EPERM, ENOENT, ...), from Node's own table. */
const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(constants.errno).map(([name, num]) => [num, name]),
);

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

/** A failed system call: carries errno, its name, the syscall and (when there is one) the path. */
export class SyscallError extends Error {
  override readonly name = 'SyscallError';
  readonly code: string;
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly path?: string,
    detail?: string,
  ) {
    const code = errnoName(errno);
    super(`${syscall}${path === undefined ? '' : ` ${path}`}: ${code}${detail ? ` (${detail})` : ''}`);
    this.code = code;
  }
}

/** A kernel feature tincan needs is missing or disabled on this host. */
export class KernelFeatureError extends Error {
  override readonly name = 'KernelFeatureError';
  constructor(readonly feature: string, message: string) {
    super(message);
  }
}
