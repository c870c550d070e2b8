import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertSha256 } from '../reference';

/** Where everything lives under the store root (default /var/lib/tincan). */
export class StorePaths {
  readonly blobs: string;
  readonly layers: string;
  readonly tmp: string;
  readonly containers: string;
  readonly tarballs: string;
  readonly locks: string;
  /** The image records, rewritten whole (temp + rename) under indexLock. */
  readonly index: string;
  readonly indexLock: string;
  /** Shared by every operation that adds to the store, exclusive for prune. */
  readonly storeLock: string;

  constructor(readonly root: string) {
    this.blobs = join(root, 'blobs', 'sha256');
    this.layers = join(root, 'layers');
    this.tmp = join(root, 'tmp');
    this.containers = join(root, 'containers');
    this.tarballs = join(root, 'tarballs');
    this.locks = join(root, 'locks');
    this.index = join(root, 'images.json');
    this.indexLock = join(root, 'images.lock');
    this.storeLock = join(root, 'store.lock');
  }

  blob(digest: string): string {
    return join(this.blobs, hexOf(digest));
  }

  /** A cached layer, keyed by its diffId (an overlay-mode layer depends on nothing below it). */
  layer(diffId: string): string {
    return join(this.layers, hexOf(diffId));
  }

  /** The directory given to overlayfs as a lowerdir. */
  layerDiff(diffId: string): string {
    return join(this.layer(diffId), 'diff');
  }

  container(id: string): string {
    return join(this.containers, id);
  }

  lock(name: string): string {
    return join(this.locks, `${name}.lock`);
  }
}

export function hexOf(digest: string): string {
  return assertSha256(digest).slice('sha256:'.length);
}

/** Create the store's directories (idempotent); every operation calls this before taking locks. */
export async function createStoreDirs(paths: StorePaths): Promise<void> {
  await mkdir(paths.root, { recursive: true, mode: 0o711 });
  // siblings under the root: one round trip to the threadpool instead of six
  await Promise.all([paths.blobs, paths.layers, paths.tmp, paths.locks, paths.containers, paths.tarballs].map((dir) => mkdir(dir, { recursive: true })));
}
