import { createRequire } from 'node:module';
import { LibcNotInstalledError } from './errors';

/**
 * @tincan/libc, for a package that has it as an optional peer dependency because one feature makes a
 * system call: required on that feature's first use, resolved from the package itself (`from`: its
 * __filename, so pnpm's isolated node_modules finds the peer too), or a LibcNotInstalledError naming it.
 * `T` is `typeof import('@tincan/libc')`, which this package cannot name (libc depends on it).
 */
export function requireLibc<T>(from: string, dependent: string, feature: string): T {
  try {
    return createRequire(from)('@tincan/libc') as T;
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (err as Error).message.includes("'@tincan/libc'");
    if (missing) throw new LibcNotInstalledError(feature, dependent);
    throw err;
  }
}
