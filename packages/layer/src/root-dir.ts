import { closeSync } from 'node:fs';
import {
  AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_DIRECTORY, O_PATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS,
  S_IFLNK, SyscallError, fchmodat, fchownat, mkdirat, openat2, readlinkat,
} from '@tincan/libc';
import { quote } from '@tincan/libc-core';
import { DirfdCache } from './dirfd-cache';
import { joinInRoot, parentOf } from './entry-path';
import { typeAt } from './fs-tree';
import { processUmask } from './process-info';

const DIR_FLAGS = O_PATH | O_DIRECTORY | O_CLOEXEC;
/** `..` and absolute symlinks stay inside dest; /proc magic links are refused outright. */
const IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
/** openat2 RESOLVE_IN_ROOT returns EAGAIN when a concurrent rename raced the walk: retry a few times. */
const EAGAIN_RETRIES = 8;
/** Implicit parents (named only by their children) get the mode GNU tar and containerd give them. */
const IMPLICIT_DIR_MODE = 0o755;
/** Symlinks followed while creating missing directories (the kernel's own limit is 40). */
const MAX_SYMLINK_HOPS = 40;

/** How deep RootDir may create directories, and how many it may create implicitly (for the parents entries name). */
export interface RootDirLimits {
  maxDepth: number;
  maxImplicitDirs: number;
}

/**
 * The destination directory as an fd, and every directory inside it resolved with openat2
 * RESOLVE_IN_ROOT, so no entry name or symlink planted by a layer can reach outside dest.
 */
export class RootDir {
  readonly fd: number;
  private readonly cache = new DirfdCache();
  private implicitDirs = 0;
  /** mkdirat's mode is final unless the umask takes bits from it */
  private readonly implicitModeNeedsChmod = (IMPLICIT_DIR_MODE & processUmask()) !== 0;

  constructor(
    dest: string,
    private readonly implicitOwner: { uid: number; gid: number } | undefined,
    private readonly limits: RootDirLimits,
  ) {
    // openat2(2) of dest itself, the one path we trust: the caller chose it
    this.fd = openat2(AT_FDCWD, dest, DIR_FLAGS, 0, 0);
  }

  /**
   * O_PATH fd of the directory at `path` (normalised, '' = root), resolved inside the root.
   * Missing directories are created when `create` is set; otherwise undefined is returned for a
   * missing or non-directory path. The fd belongs to the cache and stays valid for this entry.
   */
  dir(path: string, create: boolean): number | undefined {
    if (path === '') return this.fd;
    const fd = this.lookup(path);
    if (fd !== undefined || !create) return fd;
    return this.createDirs(path);
  }

  /** The directory at `path` if it resolves to one (cached). */
  private lookup(path: string): number | undefined {
    if (path === '') return this.fd;
    const hit = this.cache.get(path);
    if (hit !== undefined) return hit;
    const fd = this.resolve(path);
    if (fd !== undefined) this.cache.set(path, fd);
    return fd;
  }

  /** Cache an fd for a directory just created or checked (the cache takes ownership). */
  remember(path: string, fd: number): void {
    this.cache.set(path, fd);
  }

  /** A directory or symlink was removed or replaced: cached resolutions may be stale. */
  invalidate(): void {
    this.cache.invalidate();
  }

  /** Called between entries: close fds no caller can still hold. */
  nextEntry(): void {
    this.cache.releaseRetired();
  }

  close(): void {
    this.cache.close();
    closeSync(this.fd);
  }

  private resolve(path: string): number | undefined {
    for (let attempt = 0; ; attempt++) {
      try {
        // openat2(2): walk `path` from dest with RESOLVE_IN_ROOT (symlinks and `..` clamp at dest)
        return openat2(this.fd, path, DIR_FLAGS, 0, IN_ROOT);
      } catch (err) {
        if (!(err instanceof SyscallError)) throw err;
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
        if (err.code !== 'EAGAIN' || attempt >= EAGAIN_RETRIES) throw err;
      }
    }
  }

  /**
   * Create the missing directories of `path`, iteratively: missing parents first; a dangling symlink in
   * the way gets the directory it points at, inside the root, as containerd does. Every directory made
   * counts against maxImplicitDirs and none is deeper than maxDepth, so one entry cannot make unbounded work.
   */
  private createDirs(path: string): number {
    const wanted = [path];
    // the caller looked `path` up already
    let missing: string | undefined = path;
    for (let hops = 0; ; ) {
      const want = wanted[wanted.length - 1];
      const fd = want === missing ? undefined : this.lookup(want);
      missing = undefined;
      if (fd !== undefined) {
        wanted.pop();
        if (wanted.length === 0) return fd;
        continue;
      }
      const parent = parentOf(want);
      const pfd = this.lookup(parent);
      if (pfd === undefined) {
        wanted.push(parent);
        continue;
      }
      const base = want.slice(want.lastIndexOf('/') + 1);
      if (this.mkdirIfMissing(pfd, base)) continue;
      if (hops++ >= MAX_SYMLINK_HOPS || typeAt(pfd, base) !== S_IFLNK) throw new Error(`parent ${quote(want)} is not a directory`);
      const target = joinInRoot(parent, readlinkat(pfd, base));
      const { maxDepth } = this.limits;
      if (depthOf(target) > maxDepth) throw new Error(`symlink ${quote(want)} points ${maxDepth}+ directories deep`);
      wanted.push(target);
    }
  }

  /** Make an implicit directory with its mode and owner; false when the name exists already. */
  private mkdirIfMissing(pfd: number, base: string): boolean {
    const { maxImplicitDirs } = this.limits;
    if (++this.implicitDirs > maxImplicitDirs) throw new Error(`more than ${maxImplicitDirs} directories created for the parents of entries`);
    try {
      // mkdirat(2): create the missing component under its resolved parent
      mkdirat(pfd, base, IMPLICIT_DIR_MODE);
    } catch (err) {
      this.implicitDirs--;
      if (err instanceof SyscallError && err.code === 'EEXIST') return false;
      throw err;
    }
    // fchmodat(2): the umask must not narrow an implicit directory
    if (this.implicitModeNeedsChmod) fchmodat(pfd, base, IMPLICIT_DIR_MODE, AT_SYMLINK_NOFOLLOW);
    // fchownat(2): under an id map, implicit dirs belong to the container's root, not the host's
    if (this.implicitOwner) fchownat(pfd, base, this.implicitOwner.uid, this.implicitOwner.gid, AT_SYMLINK_NOFOLLOW);
    return true;
  }
}

function depthOf(path: string): number {
  let n = path === '' ? 0 : 1;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) n++;
  return n;
}
