import { closeSync, readdirSync, type Dirent } from 'node:fs';
import {
  AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_RDONLY, S_IFDIR, S_IFLNK, S_IFMT, STATX_TYPE,
  SyscallError, openat, statxat, unlinkat,
} from '@tincan/libc';

export type RemovedKind = 'dir' | 'symlink' | 'other';

/** File type of `name` under `pfd` (the name itself, never a symlink's target); undefined when absent. */
export function typeAt(pfd: number, name: string): number | undefined {
  try {
    // statx(2) with AT_SYMLINK_NOFOLLOW: what is there now, not what it points at
    return statxat(pfd, name, AT_SYMLINK_NOFOLLOW, STATX_TYPE).mode & S_IFMT;
  } catch (err) {
    if (err instanceof SyscallError && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Remove `name` under `pfd` whatever it is (a directory with all its content); undefined when absent. */
export function removeEntry(pfd: number, name: string): RemovedKind | undefined {
  const type = typeAt(pfd, name);
  if (type === undefined) return undefined;
  if (type === S_IFDIR) {
    removeTree(pfd, name);
    return 'dir';
  }
  // unlinkat(2): a symlink is removed itself, its target is untouched
  unlinkat(pfd, name, 0);
  return type === S_IFLNK ? 'symlink' : 'other';
}

/** rm -rf of directory `name` under `pfd`, every step relative to an fd opened with O_NOFOLLOW. */
export function removeTree(pfd: number, name: string): void {
  withDirFd(pfd, name, (fd) => {
    for (const child of listDir(fd)) removeChild(fd, child);
  });
  // unlinkat(2) AT_REMOVEDIR: the directory is empty now
  unlinkat(pfd, name, AT_REMOVEDIR);
}

export function removeChild(fd: number, child: Dirent): void {
  if (child.isDirectory()) removeTree(fd, child.name);
  // unlinkat(2): files, symlinks, devices, sockets
  else unlinkat(fd, child.name, 0);
}

/** Run `fn` with a readable fd of directory `name` under `pfd` (refusing a symlink there). */
export function withDirFd<T>(pfd: number, name: string, fn: (fd: number) => T): T {
  // openat(2) O_DIRECTORY|O_NOFOLLOW: fails (ENOTDIR/ELOOP) unless `name` is a real directory
  const fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** Entries of the directory open as `fd` (through /proc/self/fd, which pins that very directory). */
export function listDir(fd: number): Dirent[] {
  return readdirSync(`/proc/self/fd/${fd}`, { withFileTypes: true });
}
