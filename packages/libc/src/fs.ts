import { check, fn, lib, struct, type Koffi } from './lib';
import { sysno } from '@tincan/libc-core';

/** struct open_how for openat2(2). */
let openHow: Koffi.TypeObject | undefined;
type SyscallFn = (nr: number, ...args: unknown[]) => number | bigint;
let syscallFn: SyscallFn | undefined;
function syscall(): SyscallFn {
  syscallFn ??= lib().func('long syscall(long nr, ...)') as unknown as SyscallFn;
  return syscallFn;
}

function openHowType(): Koffi.TypeObject {
  return struct('open_how', { flags: 'uint64', mode: 'uint64', resolve: 'uint64' });
}

/**
 * openat2(2): open `path` relative to `dirfd` under `resolve` rules (RESOLVE_IN_ROOT keeps
 * every symlink and `..` inside dirfd). Returns the new fd.
 */
export function openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
  openHow ??= openHowType();
  const ret = syscall()(sysno('openat2'), 'int', dirfd, 'str', path, 'open_how *', { flags, mode, resolve }, 'size_t', 24);
  return check(ret, 'openat2', path);
}

const mkdiratC = fn<(dirfd: number, path: string, mode: number) => number>('int mkdirat(int dirfd, const char *path, uint32_t mode)');
/** mkdirat(2). */
export function mkdirat(dirfd: number, path: string, mode: number): void {
  check(mkdiratC(dirfd, path, mode), 'mkdirat', path);
}

const umount2C = fn<(tgt: string, flags: number) => number>('int umount2(const char *tgt, int flags)');
/** umount2(2). */
export function umount2(target: string, flags = 0): void {
  check(umount2C(target, flags), 'umount2', target);
}
