import type { Arch } from './types';
import { SYSCALLS_X86_64 } from './syscalls-x86_64';
import { SYSCALLS_AARCH64 } from './syscalls-aarch64';

const BY_NAME: Readonly<Record<Arch, Readonly<Record<string, number>>>> = {
  x86_64: SYSCALLS_X86_64,
  aarch64: SYSCALLS_AARCH64,
};
const BY_NUMBER: Readonly<Record<Arch, ReadonlyMap<number, string>>> = {
  x86_64: invert(SYSCALLS_X86_64),
  aarch64: invert(SYSCALLS_AARCH64),
};

function invert(table: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  return new Map(Object.entries(table).map(([name, nr]) => [nr, name]));
}

/** The number of syscall `name` on `arch`, or undefined if that arch has no such syscall. */
export function syscallNumber(name: string, arch: Arch): number | undefined {
  return Object.hasOwn(BY_NAME[arch], name) ? BY_NAME[arch][name] : undefined;
}

/** The name of syscall `nr` on `arch`, or undefined if the table has none. */
export function syscallName(nr: number, arch: Arch): string | undefined {
  return BY_NUMBER[arch].get(nr);
}

/** The highest syscall number the table knows: anything above is newer than our headers. */
export function maxSyscallNumber(arch: Arch): number {
  return Math.max(...BY_NUMBER[arch].keys());
}
