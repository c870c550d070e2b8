import { fchmodSync, fchownSync } from 'node:fs';
import {
  AT_SYMLINK_NOFOLLOW, SyscallError, fchmodat, fchownat, fsetxattr, futimens, lsetxattr, utimensat,
} from '@tincan/libc';
import { quote } from '@tincan/libc-core';
import { LayerError } from './errors';
import { toHostId } from '@tincan/namespaces';
import type { TarEntry } from './tar-parser';
import type { IdMap } from './types';

/** xattrs a layer must never set: they would steer overlayfs (redirects, opaque, metacopy) on our lowers. */
const FORBIDDEN_XATTR_PREFIX = 'trusted.overlay.';
/** Errors that mean "this xattr cannot be set here" (namespace not permitted, fs without support). */
const XATTR_SOFT_ERRORS = new Set(['EPERM', 'EACCES', 'ENOTSUP', 'EOPNOTSUPP', 'EINVAL']);

/** Owner, mode, xattrs and times of entries, in the order the kernel requires. */
export class Metadata {
  constructor(
    private readonly idMap: IdMap | undefined,
    private readonly layer: string | undefined,
    private readonly warn: (entry: string, message: string) => void,
  ) {}

  /** Host owner of an entry under the id map. */
  owner(e: Pick<TarEntry, 'name' | 'uid' | 'gid'>): { uid: number; gid: number } {
    // no map: ids as the layer has them
    const uid = this.idMap ? toHostId(this.idMap.uid, e.uid) : e.uid;
    const gid = this.idMap ? toHostId(this.idMap.gid, e.gid) : e.gid;
    if (uid === undefined) throw new LayerError(e.name, `uid ${e.uid} is not mapped`, this.layer);
    if (gid === undefined) throw new LayerError(e.name, `gid ${e.gid} is not mapped`, this.layer);
    return { uid, gid };
  }

  /** Regular file or directory open as `fd`: chown first (it clears setuid and file caps), then mode, xattrs. */
  applyToFd(fd: number, e: TarEntry, modeIsSet = false): void {
    const { uid, gid } = this.owner(e);
    // fchown(2) then fchmod(2): the chown would clear setuid/setgid bits set before it
    fchownSync(fd, uid, gid);
    if (!modeIsSet) fchmodSync(fd, e.mode);
    // fsetxattr(2): xattrs on the open inode itself
    this.xattrs(e, (name, value) => fsetxattr(fd, name, value));
  }

  /** Times of a regular file open as `fd` (last: chown/chmod/xattrs only touch ctime). */
  timesToFd(fd: number, e: TarEntry): void {
    // futimens(3): nanosecond mtime/atime of the open file
    futimens(fd, e.atime, e.mtime);
  }

  /** Symlink, device or fifo `base` under `pfd`, none of which may be opened: all by name, never followed. */
  applyAt(pfd: number, base: string, e: TarEntry, isSymlink: boolean): void {
    const { uid, gid } = this.owner(e);
    // fchownat(2) AT_SYMLINK_NOFOLLOW: lchown under the resolved parent
    fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW);
    // fchmodat(2): symlinks have no mode of their own on Linux
    if (!isSymlink) fchmodat(pfd, base, e.mode, AT_SYMLINK_NOFOLLOW);
    // lsetxattr(2) on /proc/self/fd/<parent>/<name>: the magic link pins the parent, the name is not followed
    this.xattrs(e, (name, value) => lsetxattr(`/proc/self/fd/${pfd}/${base}`, name, value));
    this.timesAt(pfd, base, e);
  }

  /** Times of `base` under `pfd` itself (a symlink's own times). */
  timesAt(pfd: number, base: string, e: Pick<TarEntry, 'atime' | 'mtime'>): void {
    // utimensat(2) AT_SYMLINK_NOFOLLOW: never the target's times
    utimensat(pfd, base, e.atime, e.mtime, AT_SYMLINK_NOFOLLOW);
  }

  private xattrs(e: TarEntry, set: (name: string, value: Buffer) => void): void {
    if (e.xattrs === undefined) return;
    for (const [name, value] of e.xattrs) {
      if (name.startsWith(FORBIDDEN_XATTR_PREFIX)) {
        this.warn(e.name, `xattr ${quote(name)} dropped: layers may not set overlayfs attributes`);
        continue;
      }
      try {
        set(name, value);
      } catch (err) {
        if (!(err instanceof SyscallError) || !XATTR_SOFT_ERRORS.has(err.code)) throw err;
        this.warn(e.name, `xattr ${quote(name)} not set: ${err.code}`);
      }
    }
  }
}
