import { closeSync, writeSync } from 'node:fs';
import {
  O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO,
  SyscallError, linkat, makedev, mkdirat, mknodat, openat, symlinkat,
} from '@tincan/libc';
import { quote } from '@tincan/libc-core';
import { asLayerError, LayerError } from './errors';
import { normalizeEntryPath, parentOf, type EntryPath } from './entry-path';
import { removeEntry, typeAt } from './fs-tree';
import { Metadata } from './metadata';
import { RootDir } from './root-dir';
import type { EntryHandler, EntryWriter, TarEntry } from './tar-parser';
import { processUmask } from './process-info';
import { Whiteouts, whiteoutKind } from './whiteouts';
import type { ApplyMode, IdMap, LayerLimits } from './types';

/** The container's root user, owner of implicit directories under an id map. */
const ROOT_OWNER = { name: '', uid: 0, gid: 0 };

export interface ApplierOptions {
  mode: ApplyMode;
  idMap: IdMap | undefined;
  devices: boolean;
  limits: Required<LayerLimits>;
  layer: string | undefined;
  warn: (entry: string, message: string) => void;
}

const NEW_FILE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
/** New directories start private to root; their real mode is set after chown. */
const NEW_DIR_MODE = 0o700;

/**
 * Applies parsed tar entries to dest. Every object is created with an *at() call under a parent
 * dirfd resolved by RootDir (inside dest); creation uses O_EXCL/mknod/symlink semantics that never
 * follow a final symlink, and anything already in the way is removed first, not written through.
 */
export class LayerApplier implements EntryHandler {
  private readonly root: RootDir;
  private readonly meta: Metadata;
  private readonly whiteouts: Whiteouts;
  /** directory times, set once all of a layer's children are written */
  private readonly dirTimes = new Map<string, TarEntry>();
  /** extract mode: the paths this layer wrote (and their ancestors), which its opaque markers keep */
  private readonly written = new Set<string>();
  private openFd = -1;
  private closed = false;
  /** the umask narrows the mode given to open(2): only modes it leaves whole need no fchmod */
  private readonly umask = processUmask();

  constructor(dest: string, private readonly opts: ApplierOptions) {
    this.meta = new Metadata(opts.idMap, opts.layer, opts.warn);
    const { maxDepth, maxEntries } = opts.limits;
    this.root = new RootDir(dest, opts.idMap ? this.meta.owner(ROOT_OWNER) : undefined, { maxDepth, maxImplicitDirs: maxEntries });
    this.whiteouts = new Whiteouts(this.root, opts.mode, this.written);
  }

  get whiteoutCount(): number {
    return this.whiteouts.count;
  }

  entry(e: TarEntry): EntryWriter | undefined {
    this.root.nextEntry();
    const p = normalizeEntryPath(e.name, this.opts.limits, this.opts.layer);
    try {
      return this.apply(p, e);
    } catch (err) {
      throw asLayerError(err, e.name, this.opts.layer);
    }
  }

  /** Set directory times (children are all written now) and release every fd. */
  finish(): void {
    try {
      for (const [path, e] of this.dirTimes) this.setDirTimes(path, e);
    } finally {
      this.close();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.openFd >= 0) closeSync(this.openFd);
    this.openFd = -1;
    this.root.close();
  }

  private apply(p: EntryPath, e: TarEntry): EntryWriter | undefined {
    const wh = whiteoutKind(p.base);
    if (wh !== undefined) {
      if (wh === 'opaque') this.whiteouts.opaque(p.parent);
      else if (wh === 'meta') this.opts.warn(e.name, 'aufs metadata entry ignored');
      else this.whiteouts.remove(p.parent, wh.name, e.name, this.opts.layer);
      return undefined;
    }
    if (this.opts.mode === 'extract') this.noteWritten(p.path);
    if (e.type !== 'dir') this.dirTimes.delete(p.path);
    switch (e.type) {
      case 'dir':
        this.directory(p, e);
        return undefined;
      case 'file':
        return this.file(p, e);
      case 'symlink':
        this.symlink(p, e);
        return undefined;
      case 'hardlink':
        this.hardlink(p, e);
        return undefined;
      case 'char':
      case 'block':
      case 'fifo':
        this.node(p, e);
        return undefined;
      default:
        this.opts.warn(e.name, `entry type ${quote(e.typeflag)} is not supported: skipped`);
        return undefined;
    }
  }

  private directory(p: EntryPath, e: TarEntry): void {
    this.dirTimes.set(p.path, e);
    if (p.path === '') {
      // openat(2) of "." on the O_PATH root fd: a readable fd of dest for metadata
      const fd = openat(this.root.fd, '.', O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      try {
        this.meta.applyToFd(fd, e);
      } finally {
        closeSync(fd);
      }
      return;
    }
    const pfd = this.parent(p);
    this.makeDirectory(pfd, p);
    // openat(2) O_DIRECTORY|O_NOFOLLOW: the directory just made or merged, never a symlink
    const fd = openat(pfd, p.base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    this.root.remember(p.path, fd); // its children usually follow: they find their parent fd here
    this.meta.applyToFd(fd, e);
  }

  /** mkdir, or merge into the directory already there, or replace whatever else is there. */
  private makeDirectory(pfd: number, p: EntryPath): void {
    if (this.tryCreate(() => mkdirat(pfd, p.base, NEW_DIR_MODE))) return;
    if (typeAt(pfd, p.base) === S_IFDIR) return;
    this.replace(pfd, p);
    // mkdirat(2): the other object is gone now
    mkdirat(pfd, p.base, NEW_DIR_MODE);
  }

  private file(p: EntryPath, e: TarEntry): EntryWriter {
    if (p.path === '') throw new LayerError(e.name, 'the root cannot be replaced', this.opts.layer);
    const pfd = this.parent(p);
    // openat(2) O_CREAT|O_EXCL|O_NOFOLLOW: a fresh inode; an existing file or symlink is removed first
    const open = (): number => openat(pfd, p.base, NEW_FILE_FLAGS, e.mode & 0o777);
    let fd = this.tryOpen(open);
    if (fd < 0) {
      this.replace(pfd, p);
      fd = open();
    }
    this.openFd = fd;
    return {
      write: (chunk) => this.writeAll(fd, chunk, e.name),
      close: () => this.closeFile(fd, e),
    };
  }

  private writeAll(fd: number, chunk: Uint8Array, entry: string): void {
    try {
      let off = 0;
      // write(2): straight from the decompressed chunk, no copy
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
    } catch (err) {
      throw asLayerError(err, entry, this.opts.layer);
    }
  }

  private closeFile(fd: number, e: TarEntry): void {
    try {
      // setuid/setgid/sticky always need fchmod after chown; plain modes only when the umask cut them
      this.meta.applyToFd(fd, e, (e.mode & 0o7000) === 0 && (e.mode & this.umask) === 0);
      this.meta.timesToFd(fd, e);
    } catch (err) {
      throw asLayerError(err, e.name, this.opts.layer);
    } finally {
      this.openFd = -1;
      // close(2)
      closeSync(fd);
    }
  }

  private symlink(p: EntryPath, e: TarEntry): void {
    if (p.path === '') throw new LayerError(e.name, 'the root cannot be replaced', this.opts.layer);
    if (e.linkname === '') throw new LayerError(e.name, 'symlink with an empty target', this.opts.layer);
    const pfd = this.parent(p);
    // symlinkat(2): target stored verbatim (absolute targets are relative to the container root at run time)
    this.createOrReplace(pfd, p, () => symlinkat(e.linkname, pfd, p.base));
    this.meta.applyAt(pfd, p.base, e, true);
  }

  private hardlink(p: EntryPath, e: TarEntry): void {
    const target = normalizeEntryPath(e.linkname, this.opts.limits, this.opts.layer);
    if (target.path === '' || p.path === '') throw new LayerError(e.name, 'a hard link cannot involve the root', this.opts.layer);
    if (target.path === p.path) return;
    const tpfd = this.root.dir(target.parent, false);
    if (tpfd === undefined || typeAt(tpfd, target.base) === undefined) {
      throw new LayerError(e.name, `hard link target ${quote(e.linkname)} does not exist in the layer root`, this.opts.layer);
    }
    const pfd = this.parent(p);
    // linkat(2) flags 0: links the target name under a parent resolved inside dest; a symlink there is linked itself, never followed
    this.createOrReplace(pfd, p, () => linkat(tpfd, target.base, pfd, p.base, 0));
  }

  private node(p: EntryPath, e: TarEntry): void {
    if (p.path === '') throw new LayerError(e.name, 'the root cannot be replaced', this.opts.layer);
    if (e.type !== 'fifo' && !this.opts.devices) {
      this.opts.warn(e.name, 'device node skipped (devices are disabled or we are in a user namespace)');
      return;
    }
    const kind = e.type === 'fifo' ? S_IFIFO : e.type === 'char' ? S_IFCHR : S_IFBLK;
    const dev = e.type === 'fifo' ? 0n : makedev(e.devmajor, e.devminor);
    // an image's device node gets no permission bits: on the host's disk no user but root may open it
    // (a layer's "b 8:0 0666" would otherwise be a raw disk for anyone); containers mount roots nodev
    const mode = e.type === 'fifo' ? e.mode : e.mode & ~0o777;
    const pfd = this.parent(p);
    try {
      // mknodat(2): fifo or device node; needs CAP_MKNOD for devices
      this.createOrReplace(pfd, p, () => mknodat(pfd, p.base, kind | (mode & 0o777), dev));
    } catch (err) {
      if (!(err instanceof SyscallError) || err.code !== 'EPERM') throw err;
      this.opts.warn(e.name, 'device node skipped: mknod not permitted');
      return;
    }
    this.meta.applyAt(pfd, p.base, { ...e, mode }, false);
  }

  /** Parent dirfd inside dest, created when missing. */
  private parent(p: EntryPath): number {
    return this.root.dir(p.parent, true)!;
  }

  private createOrReplace(pfd: number, p: EntryPath, create: () => void): void {
    if (this.tryCreate(create)) return;
    this.replace(pfd, p);
    create();
  }

  /** Remove what is in the way of a new entry (a directory with its content). */
  private replace(pfd: number, p: EntryPath): void {
    const kind = removeEntry(pfd, p.base);
    if (kind === 'dir' || kind === 'symlink') this.root.invalidate();
  }

  /** Run a creating syscall; false when the name already exists. */
  private tryCreate(create: () => void): boolean {
    try {
      create();
      return true;
    } catch (err) {
      if (err instanceof SyscallError && err.code === 'EEXIST') return false;
      throw err;
    }
  }

  private tryOpen(open: () => number): number {
    try {
      return open();
    } catch (err) {
      if (err instanceof SyscallError && err.code === 'EEXIST') return -1;
      throw err;
    }
  }

  private noteWritten(path: string): void {
    if (this.written.has(path)) return;
    this.written.add(path);
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const ancestor = path.slice(0, i);
      if (this.written.has(ancestor)) return;
      this.written.add(ancestor);
    }
  }

  /** A directory's own times, unless a later entry of the layer removed or replaced it. */
  private setDirTimes(path: string, e: TarEntry): void {
    try {
      if (path === '') return this.meta.timesAt(this.root.fd, '.', e);
      const base = path.slice(path.lastIndexOf('/') + 1);
      const pfd = this.root.dir(parentOf(path), false);
      if (pfd !== undefined && typeAt(pfd, base) === S_IFDIR) this.meta.timesAt(pfd, base, e);
    } catch (err) {
      throw asLayerError(err, e.name, this.opts.layer);
    } finally {
      this.root.nextEntry();
    }
  }
}
