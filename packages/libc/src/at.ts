import { STATX_BASIC_STATS } from '@tincan/libc-core';
import { check, fn, struct } from './lib';

/**
 * The *at() family: every call names its object relative to a directory fd, so callers that
 * resolved the parent safely (openat2 RESOLVE_IN_ROOT) never re-walk an attacker-controlled path.
 */

/** A timestamp as the kernel's struct timespec (seconds + nanoseconds). */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** What statxat() reports about one object (the fields tincan reads). */
export interface StatxResult {
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  ino: bigint;
  size: bigint;
  devMajor: number;
  devMinor: number;
}

const openatC = fn<(dirfd: number, path: string, flags: number, mode: number) => number>(
  'int openat(int dirfd, const char *path, int flags, uint32_t mode)',
);
/** openat(2): open `path` relative to `dirfd` (callers pass O_NOFOLLOW to refuse a final symlink). */
export function openat(dirfd: number, path: string, flags: number, mode = 0): number {
  // openat(2): one-component open under an already-resolved parent dirfd
  return check(openatC(dirfd, path, flags, mode), 'openat', path);
}

const mknodatC = fn<(dirfd: number, path: string, mode: number, dev: bigint) => number>(
  'int mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev)',
);
/** mknodat(2): create a fifo, device node or overlayfs whiteout (char 0:0) under `dirfd`. */
export function mknodat(dirfd: number, path: string, mode: number, dev: bigint = 0n): void {
  // mknodat(2): never follows `path`; fails with EEXIST if anything (even a dangling symlink) is there
  check(mknodatC(dirfd, path, mode, dev), 'mknodat', path);
}

const fchownatC = fn<(dirfd: number, path: string, uid: number, gid: number, flags: number) => number>(
  'int fchownat(int dirfd, const char *path, uint32_t uid, uint32_t gid, int flags)',
);
/** fchownat(2): set owner and group; AT_SYMLINK_NOFOLLOW changes a symlink itself, AT_EMPTY_PATH the fd. */
export function fchownat(dirfd: number, path: string, uid: number, gid: number, flags: number): void {
  // fchownat(2): lchown relative to a dirfd (or the fd itself with AT_EMPTY_PATH, valid on O_PATH fds)
  check(fchownatC(dirfd, path, uid, gid, flags), 'fchownat', path);
}

const fchmodatC = fn<(dirfd: number, path: string, mode: number, flags: number) => number>(
  'int fchmodat(int dirfd, const char *path, uint32_t mode, int flags)',
);
/** fchmodat(2): set permission bits; with AT_SYMLINK_NOFOLLOW glibc refuses (EOPNOTSUPP) instead of following a symlink. */
export function fchmodat(dirfd: number, path: string, mode: number, flags: number): void {
  // fchmodat(2)/fchmodat2: chmod relative to a dirfd without following a final symlink
  check(fchmodatC(dirfd, path, mode, flags), 'fchmodat', path);
}

// `struct timespec times[2]` (atime, then mtime), registered on first use before a prototype names it
let timesRegistered = false;
type TimesArg = { asec: number; ansec: number; msec: number; mnsec: number };
function timesArg(atime: Timespec, mtime: Timespec): TimesArg {
  if (!timesRegistered) {
    struct('tincan_timespec_pair', { asec: 'int64', ansec: 'int64', msec: 'int64', mnsec: 'int64' });
    timesRegistered = true;
  }
  return { asec: atime.sec, ansec: atime.nsec, msec: mtime.sec, mnsec: mtime.nsec };
}

const utimensatC = fn<(dirfd: number, path: string, times: TimesArg, flags: number) => number>(
  'int utimensat(int dirfd, const char *path, const tincan_timespec_pair *times, int flags)',
);
/** utimensat(2): set atime/mtime with nanoseconds; AT_SYMLINK_NOFOLLOW sets a symlink's own times. */
export function utimensat(dirfd: number, path: string, atime: Timespec, mtime: Timespec, flags: number): void {
  // utimensat(2): timestamps relative to a dirfd, never following the final symlink when asked not to
  check(utimensatC(dirfd, path, timesArg(atime, mtime), flags), 'utimensat', path);
}

const futimensC = fn<(fd: number, times: TimesArg) => number>('int futimens(int fd, const tincan_timespec_pair *times)');
/** futimens(3): set atime/mtime of an open fd with nanoseconds. */
export function futimens(fd: number, atime: Timespec, mtime: Timespec): void {
  // futimens(3) = utimensat(fd, NULL, ...): timestamps of the very file we just wrote
  check(futimensC(fd, timesArg(atime, mtime)), 'futimens', `fd ${fd}`);
}

const linkatC = fn<(olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number) => number>(
  'int linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)',
);
/** linkat(2): hard link; flags 0 links a symlink itself (never its target), AT_EMPTY_PATH links the fd. */
export function linkat(olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags = 0): void {
  // linkat(2): both ends named relative to dirfds the caller resolved inside its root
  check(linkatC(olddirfd, oldpath, newdirfd, newpath, flags), 'linkat', `${oldpath} -> ${newpath}`);
}

const symlinkatC = fn<(target: string, newdirfd: number, linkpath: string) => number>(
  'int symlinkat(const char *target, int newdirfd, const char *linkpath)',
);
/** symlinkat(2): create a symlink whose target is stored verbatim. */
export function symlinkat(target: string, newdirfd: number, linkpath: string): void {
  // symlinkat(2): the target is never resolved at creation time
  check(symlinkatC(target, newdirfd, linkpath), 'symlinkat', linkpath);
}

const unlinkatC = fn<(dirfd: number, path: string, flags: number) => number>('int unlinkat(int dirfd, const char *path, int flags)');
/** unlinkat(2): remove a name (AT_REMOVEDIR for an empty directory); a symlink is removed, not followed. */
export function unlinkat(dirfd: number, path: string, flags = 0): void {
  // unlinkat(2): removal confined to the entry under an already-resolved parent
  check(unlinkatC(dirfd, path, flags), 'unlinkat', path);
}

const fsetxattrC = fn<(fd: number, name: string, value: Buffer, size: number, flags: number) => number>(
  'int fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)',
);
/** fsetxattr(2): set an extended attribute on an open (non-O_PATH) fd. */
export function fsetxattr(fd: number, name: string, value: Buffer, flags = 0): void {
  // fsetxattr(2): xattr on the exact inode behind the fd, no path walk
  check(fsetxattrC(fd, name, value, value.length, flags), 'fsetxattr', name);
}

const lsetxattrC = fn<(path: string, name: string, value: Buffer, size: number, flags: number) => number>(
  'int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)',
);
/** lsetxattr(2): set an extended attribute on `path` without following a final symlink. */
export function lsetxattr(path: string, name: string, value: Buffer, flags = 0): void {
  // lsetxattr(2): used as /proc/self/fd/<parentfd>/<name>, the magic link pins the parent directory
  check(lsetxattrC(path, name, value, value.length, flags), 'lsetxattr', path);
}

const statxC = fn<(dirfd: number, path: string, flags: number, mask: number, buf: Buffer) => number>(
  'int statx(int dirfd, const char *path, int flags, uint32_t mask, void *buf)',
);
/** statx(2): file type, mode, owner, inode of `path` under `dirfd` (AT_SYMLINK_NOFOLLOW: the link itself). */
export function statxat(dirfd: number, path: string, flags: number, mask = STATX_BASIC_STATS): StatxResult {
  const buf = Buffer.alloc(256);
  // statx(2): one fixed struct layout on every architecture (unlike struct stat)
  check(statxC(dirfd, path, flags, mask, buf), 'statx', path);
  return {
    mode: buf.readUInt16LE(28),
    uid: buf.readUInt32LE(20),
    gid: buf.readUInt32LE(24),
    nlink: buf.readUInt32LE(16),
    ino: buf.readBigUInt64LE(32),
    size: buf.readBigUInt64LE(40),
    devMajor: buf.readUInt32LE(136),
    devMinor: buf.readUInt32LE(140),
  };
}

const readlinkatC = fn<(dirfd: number, path: string, buf: Buffer, size: number) => number>(
  'intptr_t readlinkat(int dirfd, const char *path, void *buf, size_t size)',
);
/** readlinkat(2): the target of symlink `path` under `dirfd` (PATH_MAX bytes at most). */
export function readlinkat(dirfd: number, path: string): string {
  const buf = Buffer.alloc(4096);
  // readlinkat(2): reads the link itself relative to a resolved parent
  const n = check(readlinkatC(dirfd, path, buf, buf.length), 'readlinkat', path);
  return buf.toString('utf8', 0, n);
}
