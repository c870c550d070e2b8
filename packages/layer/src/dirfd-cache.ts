import { closeSync } from 'node:fs';

/** Directories most layers touch at once: enough for tar order locality, few fds. */
const DEFAULT_CAPACITY = 64;

/**
 * LRU of directory fds keyed by normalised path. Evicted or invalidated fds are retired, not
 * closed: a caller may still hold one for the entry in progress, so they close at the next entry.
 */
export class DirfdCache {
  private readonly fds = new Map<string, number>();
  private retired: number[] = [];
  private lastKey: string | undefined;
  private lastFd = -1;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(path: string): number | undefined {
    if (path === this.lastKey) return this.lastFd;
    const fd = this.fds.get(path);
    if (fd === undefined) return undefined;
    this.fds.delete(path); // re-insert: Map order is the LRU order
    this.fds.set(path, fd);
    this.lastKey = path;
    this.lastFd = fd;
    return fd;
  }

  set(path: string, fd: number): void {
    const old = this.fds.get(path);
    if (old !== undefined) this.retired.push(old);
    this.fds.delete(path);
    this.fds.set(path, fd);
    this.lastKey = path;
    this.lastFd = fd;
    if (this.fds.size > this.capacity) {
      const [oldest, oldFd] = this.fds.entries().next().value as [string, number];
      this.fds.delete(oldest);
      this.retired.push(oldFd);
    }
  }

  /** Forget every fd: a directory or symlink was removed, so any cached path may now resolve elsewhere. */
  invalidate(): void {
    for (const fd of this.fds.values()) this.retired.push(fd);
    this.fds.clear();
    this.lastKey = undefined;
  }

  /** Close the fds retired during the previous entry. */
  releaseRetired(): void {
    if (this.retired.length === 0) return;
    for (const fd of this.retired) closeSync(fd);
    this.retired = [];
  }

  close(): void {
    this.invalidate();
    this.releaseRetired();
  }
}
