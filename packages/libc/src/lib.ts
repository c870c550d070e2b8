import * as koffi from 'koffi';
import { SyscallError } from './errors';

/** libc, loaded once on first use so that importing this package costs nothing. */
let libc: koffi.LibraryHandle | undefined;
export function lib(): koffi.LibraryHandle {
  libc ??= koffi.load('libc.so.6');
  return libc;
}

/** Declare a libc function lazily (koffi prototypes are parsed on first call). */
export function fn<T extends (...args: never[]) => unknown>(prototype: string): T {
  let bound: ((...a: unknown[]) => unknown) | undefined;
  return ((...args: unknown[]) => {
    bound ??= lib().func(prototype) as (...a: unknown[]) => unknown;
    return bound(...args);
  }) as unknown as T;
}

/** The errno of the last failed call made through koffi on this thread. */
export function errno(): number {
  return koffi.errno();
}

/** Throw a SyscallError when a libc call returned -1. */
export function check(ret: number | bigint, syscall: string, path?: string): number {
  const n = Number(ret);
  if (n < 0) throw new SyscallError(syscall, koffi.errno(), path);
  return n;
}

export { koffi };
