import { closeSync } from 'node:fs';
import {
  AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_DIRECTORY, O_PATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS,
  S_IFLNK, SyscallError, fchmodat, fchownat, mkdirat, openat2, readlinkat,
} from '@tincan/libc';
import { DirfdCache } from './dirfd-cache';
import { joinInRoot, parentOf } from './entry-path';
import { typeAt } from './fs-tree';

const DIR_FLAGS = O_PATH | O_DIRECTORY | O_CLOEXEC;
/** `..` and absolute symlinks stay inside dest; /proc magic links are refused outright. */
const IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
/** openat2 RESOLVE_IN_ROOT returns EAGAIN when a concurrent rename raced the walk: retry a few times. */
const EAGAIN_RETRIES = 8;
/** Implicit parents (named only by their children) get the mode GNU tar and containerd give them. */
const IMPLICIT_DIR_MODE = 0o755;
/** Symlinks followed while creating missing directories (the kernel's own limit is 40). */
const MAX_SYMLINK_HOPS = 40;

/**
 * The destination directory as an fd, and every directory inside it resolved with openat2
 * RESOLVE_IN_ROOT, so no entry name or symlink planted by a layer can reach outside dest.
 */
export class RootDir {
  readonly fd: number;
  private readonly cache = new DirfdCache();

  constructor(
    dest: string,
    private readonly implicitOwner: { uid: number; gid: number } | undefined,
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
    return this.dirAt(path, create, 0);
  }

  private dirAt(path: string, create: boolean, hops: number): number | undefined {
    if (path === '') return this.fd;
    const hit = this.cache.get(path);
    if (hit !== undefined) return hit;
    const fd = this.resolve(path);
    if (fd !== undefined) {
      this.cache.set(path, fd);
      return fd;
    }
    if (!create) return undefined;
    return this.createDir(path, hops);
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

  private createDir(path: string, hops: number): number {
    const parent = parentOf(path);
    const pfd = this.dirAt(parent, true, hops)!;
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (this.mkdirIfMissing(pfd, base)) this.setImplicitMetadata(pfd, base);
    else if (hops < MAX_SYMLINK_HOPS && typeAt(pfd, base) === S_IFLNK) {
      // a dangling symlink: create what it points at, inside the root, as containerd does
      this.dirAt(joinInRoot(parent, readlinkat(pfd, base)), true, hops + 1);
    }
    const fd = this.resolve(path);
    if (fd === undefined) throw new Error(`parent ${JSON.stringify(path)} is not a directory`);
    this.cache.set(path, fd);
    return fd;
  }

  private mkdirIfMissing(pfd: number, base: string): boolean {
    try {
      // mkdirat(2): create the missing component under its resolved parent
      mkdirat(pfd, base, IMPLICIT_DIR_MODE);
      return true;
    } catch (err) {
      if (err instanceof SyscallError && err.code === 'EEXIST') return false;
      throw err;
    }
  }

  private setImplicitMetadata(pfd: number, base: string): void {
    // fchmodat(2): the umask must not narrow an implicit directory
    fchmodat(pfd, base, IMPLICIT_DIR_MODE, AT_SYMLINK_NOFOLLOW);
    // fchownat(2): under an id map, implicit dirs belong to the container's root, not the host's
    if (this.implicitOwner) fchownat(pfd, base, this.implicitOwner.uid, this.implicitOwner.gid, AT_SYMLINK_NOFOLLOW);
  }
}
