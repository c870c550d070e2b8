import { fstatSync } from 'node:fs';
import { SyscallError, S_IFCHR, fsetxattr, makedev, mknodat } from '@tincan/libc';
import { LayerError } from './errors';
import { removeEntry, walkTree, withDirFd } from './fs-tree';
import type { RootDir } from './root-dir';
import type { ApplyMode } from './types';

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
/** `.wh..wh.*` other than the opaque marker: aufs bookkeeping (e.g. .wh..wh.plnk), never content. */
const META_PREFIX = '.wh..wh.';
const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

export type WhiteoutKind = 'opaque' | 'meta' | { name: string };

/** What a base name means under the OCI whiteout rules (undefined: an ordinary entry). */
export function whiteoutKind(base: string): WhiteoutKind | undefined {
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  if (base === OPAQUE_MARKER) return 'opaque';
  if (base.startsWith(META_PREFIX)) return 'meta';
  return { name: base.slice(WHITEOUT_PREFIX.length) };
}

/**
 * OCI whiteouts. 'extract': delete from the layers below (parents resolved inside dest, never
 * created). 'overlay': record them the way overlayfs reads a lower dir (char 0:0, opaque xattr).
 * Entries of the same layer are never hidden by its own whiteouts.
 */
export class Whiteouts {
  count = 0;
  /** extract mode: directories (by dev:ino) whose lower content is gone already; a second marker has nothing left to clear */
  private readonly cleared = new Set<string>();

  constructor(
    private readonly root: RootDir,
    private readonly mode: ApplyMode,
    private readonly written: ReadonlySet<string>,
  ) {}

  /** `.wh.<name>` in directory `parent`. */
  remove(parent: string, name: string, entry: string, layer: string | undefined): void {
    if (name === '' || name === '.' || name === '..') throw new LayerError(entry, 'invalid whiteout name', layer);
    this.count++;
    if (this.mode === 'overlay') return this.overlayWhiteout(parent, name);
    const path = parent === '' ? name : `${parent}/${name}`;
    if (this.written.has(path)) return;
    const pfd = this.root.dir(parent, false);
    if (pfd === undefined) return; // nothing below to hide
    const kind = removeEntry(pfd, name);
    if (kind === 'dir' || kind === 'symlink') this.root.invalidate();
  }

  /** `.wh..wh..opq` in directory `dir`. */
  opaque(dir: string): void {
    this.count++;
    if (this.mode === 'overlay') {
      const fd = this.root.dir(dir, true)!;
      // fsetxattr(2) on a readable reopen of the resolved dir (O_PATH fds take no xattrs)
      withDirFd(fd, '.', (d) => fsetxattr(d, OVERLAY_OPAQUE_XATTR, Buffer.from('y')));
      return;
    }
    const fd = this.root.dir(dir, false);
    if (fd === undefined) return;
    withDirFd(fd, '.', (d) => this.clearLower(d, dir));
  }

  private overlayWhiteout(parent: string, name: string): void {
    const pfd = this.root.dir(parent, true)!;
    try {
      // mknodat(2) char 0:0: overlayfs' whiteout, hiding `name` of the lower layers
      mknodat(pfd, name, S_IFCHR, makedev(0, 0));
    } catch (err) {
      if (!(err instanceof SyscallError) || err.code !== 'EEXIST') throw err; // this layer's own entry stays
    }
  }

  /**
   * Delete what the layers below left in a directory, keeping this layer's entries (at any depth).
   * Once per directory: a directory made after the clearing holds only this layer's entries, so an
   * inode number reused by one never hides lower content.
   */
  private clearLower(fd: number, dir: string): void {
    const st = fstatSync(fd);
    const id = `${st.dev}:${st.ino}`;
    if (this.cleared.has(id)) return;
    this.cleared.add(id);
    walkTree(fd, dir, (path, child) => (!this.written.has(path) ? 'remove' : child.isDirectory() ? 'descend' : 'keep'));
    this.root.invalidate();
  }
}
