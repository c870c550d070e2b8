import { createRequire } from 'node:module';
import type * as Koffi from 'koffi';
import { SyscallError } from '@tincan/libc-core';

/** koffi and libc load on first use, so importing this package costs nothing (CLI start-up). */
let koffiModule: typeof Koffi | undefined;
let libc: Koffi.LibraryHandle | undefined;

export function koffi(): typeof Koffi {
  koffiModule ??= createRequire(__filename)('koffi') as typeof Koffi;
  return koffiModule;
}

export function lib(): Koffi.LibraryHandle {
  libc ??= koffi().load('libc.so.6');
  return libc;
}

/** Declare a libc function lazily (the prototype is parsed on first call). */
export function fn<T extends (...args: never[]) => unknown>(prototype: string): T {
  let bound: ((...a: unknown[]) => unknown) | undefined;
  return ((...args: unknown[]) => {
    bound ??= lib().func(prototype) as (...a: unknown[]) => unknown;
    return bound(...args);
  }) as unknown as T;
}

/**
 * A named koffi struct, declared once per process: koffi's type names are process-wide, and another
 * instance of the declaring module (a jest registry, a bundle) may have declared it already.
 */
export function struct(name: string, fields: Record<string, string | Koffi.TypeObject>): Koffi.TypeObject {
  try {
    return koffi().type(name);
  } catch {
    return koffi().struct(name, fields);
  }
}

/** The errno of the last failed call made through koffi on this thread. */
export function errno(): number {
  return koffi().errno();
}

/** Throw a SyscallError when a libc call returned -1. */
export function check(ret: number | bigint, syscall: string, path?: string): number {
  const n = Number(ret);
  if (n < 0) throw new SyscallError(syscall, errno(), path);
  return n;
}

export type { Koffi };
