import { constants } from 'node:os';

/** errno number → symbolic name (EPERM, ENOENT, ...), from Node's own table. */
const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(constants.errno).map(([name, num]) => [num, name]),
);

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

/** Marks a SyscallError made by any copy of this package (one registry-wide symbol, not one per copy). */
const SYSCALL_ERROR = Symbol.for('@tincan/libc-core.SyscallError');

/** A failed system call: carries errno, its name, the syscall and (when there is one) the path. */
export class SyscallError extends Error {
  /**
   * `instanceof` holds across copies of this class: @tincan/libc is an optional peer that its users
   * require() on first use, so in an ES module or a bundle it throws with a second copy of this package.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== SyscallError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && SYSCALL_ERROR in value;
  }

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
    Object.defineProperty(this, SYSCALL_ERROR, { value: true });
  }
}

/** A kernel feature tincan needs is missing or disabled on this host. */
export class KernelFeatureError extends Error {
  override readonly name = 'KernelFeatureError';
  constructor(readonly feature: string, message: string) {
    super(message);
  }
}

/** A feature that makes a system call was used without @tincan/libc, the optional peer that binds it. */
export class LibcNotInstalledError extends Error {
  override readonly name = 'LibcNotInstalledError';
  constructor(readonly feature: string, readonly dependent: string) {
    const why = `${feature} needs @tincan/libc (koffi bindings to libc), an optional peer dependency of ${dependent}`;
    super(`${why}: install @tincan/libc next to it`);
  }
}
