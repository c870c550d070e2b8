import { closeSync, fstatSync, readdirSync, type Dirent } from 'node:fs';
import {
  AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW, O_RDONLY, S_IFDIR, S_IFLNK, S_IFMT, STATX_TYPE,
  SyscallError, openat, statxat, unlinkat,
} from '@tincan/libc';
import { quote } from '@tincan/libc-core';

export type RemovedKind = 'dir' | 'symlink' | 'other';

/** What a tree walk does with a child: remove it (a directory with all it holds), walk into it (a directory), or leave it. */
export type ChildAction = 'remove' | 'descend' | 'keep';

/** Directory fds a walk holds at once: deeper levels are closed and their parents reopened through `..` on the way up. */
const WALK_OPEN_LEVELS = 16;
const DIR_READ_FLAGS = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

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
  withDirFd(pfd, name, (fd) => walkTree(fd, '', () => 'remove'));
  // unlinkat(2) AT_REMOVEDIR: the directory is empty now
  unlinkat(pfd, name, AT_REMOVEDIR);
}

/** One directory of a walk: its fd (-1 once closed), where it is, and the subdirectories still to visit. */
interface Level {
  fd: number;
  name: string;
  path: string;
  /** removed with everything in it (else only the children `decide` says) */
  removing: boolean;
  subdirs: { name: string; removing: boolean }[];
  /** identity, recorded when the fd is closed: the `..` that reopens it must be this very directory */
  id?: { dev: number; ino: number };
}

/**
 * Apply `decide` to every child under the directory open as `top` (at normalised `topPath`), walking
 * into the directories it says. Iterative, with at most WALK_OPEN_LEVELS fds open, so neither the stack
 * nor the fd table limits the depth of a tree a layer can make or replace.
 */
export function walkTree(top: number, topPath: string, decide: (path: string, child: Dirent) => ChildAction): void {
  const levels: Level[] = [{ fd: top, name: '', path: topPath, removing: false, subdirs: [] }];
  try {
    list(levels[0], decide);
    for (;;) {
      const level = levels[levels.length - 1];
      const next = level.subdirs.pop();
      if (next !== undefined) {
        const path = level.path === '' ? next.name : `${level.path}/${next.name}`;
        // openat(2) O_DIRECTORY|O_NOFOLLOW: the subdirectory listed, never a symlink put in its place
        const fd = openat(level.fd, next.name, DIR_READ_FLAGS);
        const child: Level = { fd, name: next.name, path, removing: next.removing, subdirs: [] };
        levels.push(child);
        if (levels.length > WALK_OPEN_LEVELS + 1) closeLevel(levels[levels.length - WALK_OPEN_LEVELS - 1]);
        list(child, decide);
        continue;
      }
      if (levels.length === 1) return;
      const parent = levels[levels.length - 2];
      if (parent.fd < 0) parent.fd = reopenParent(level.fd, parent);
      levels.pop();
      closeSync(level.fd);
      // unlinkat(2) AT_REMOVEDIR: everything in it is gone now
      if (level.removing) unlinkat(parent.fd, level.name, AT_REMOVEDIR);
    }
  } finally {
    // `top` belongs to the caller
    for (const level of levels.slice(1)) if (level.fd >= 0) closeSync(level.fd);
  }
}

/** List a directory once: unlink the non-directories to remove, note the subdirectories to remove or walk. */
function list(level: Level, decide: (path: string, child: Dirent) => ChildAction): void {
  for (const child of listDir(level.fd)) {
    const action = level.removing ? 'remove' : decide(level.path === '' ? child.name : `${level.path}/${child.name}`, child);
    if (action === 'keep') continue;
    if (child.isDirectory()) level.subdirs.push({ name: child.name, removing: action === 'remove' });
    // unlinkat(2): files, symlinks, devices, sockets
    else if (action === 'remove') unlinkat(level.fd, child.name, 0);
  }
}

function closeLevel(level: Level): void {
  const st = fstatSync(level.fd);
  level.id = { dev: st.dev, ino: st.ino };
  closeSync(level.fd);
  level.fd = -1;
}

function reopenParent(childFd: number, parent: Level): number {
  // openat(2) of "..": the directory the child sits in now (nothing else writes the tree during a walk)
  const fd = openat(childFd, '..', DIR_READ_FLAGS);
  const st = fstatSync(fd);
  if (st.dev !== parent.id?.dev || st.ino !== parent.id.ino) {
    closeSync(fd);
    throw new Error(`directory ${quote(parent.path)} moved while its content was being removed`);
  }
  return fd;
}

/** Run `fn` with a readable fd of directory `name` under `pfd` (refusing a symlink there). */
export function withDirFd<T>(pfd: number, name: string, fn: (fd: number) => T): T {
  // openat(2) O_DIRECTORY|O_NOFOLLOW: fails (ENOTDIR/ELOOP) unless `name` is a real directory
  const fd = openat(pfd, name, DIR_READ_FLAGS);
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
