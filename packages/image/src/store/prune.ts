import { randomBytes } from 'node:crypto';
import { lstat, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { containerLowerDirs } from '../rootfs';
import { listDir, treeBytes } from './fs-util';
import type { StorePaths } from './paths';
import { type ImageRecord, readRecords } from './records';
import type { TarballRecord } from './tarball';

export interface PruneResult {
  blobs: number;
  layers: number;
  bytes: number;
}

/**
 * Remove blobs and layers that no image record (and no prepared container) references, tarball
 * records whose layer went, and everything in tmp/. Callers hold the store lock exclusively, so
 * no pull or import is half-way (their tmp files are leftovers of crashed processes).
 */
export async function pruneStore(paths: StorePaths): Promise<PruneResult> {
  const records = await readRecords(paths);
  const result: PruneResult = { blobs: 0, layers: 0, bytes: 0 };
  await pruneBlobs(paths, referencedBlobs(records), result);
  await pruneLayers(paths, await referencedLayers(paths, records), result);
  await pruneTarballRecords(paths);
  for (const name of await listDir(paths.tmp)) await rm(join(paths.tmp, name), { recursive: true, force: true });
  // no lock file is held: every holder takes the store lock (shared) first
  for (const name of await listDir(paths.locks)) await rm(join(paths.locks, name), { force: true });
  return result;
}

function referencedBlobs(records: ImageRecord[]): Set<string> {
  const hex = (d: string): string => d.slice('sha256:'.length);
  return new Set(records.flatMap((r) => [r.digest, r.configDigest, ...(r.indexDigest ? [r.indexDigest] : []), ...r.layers.map((l) => l.digest)].map(hex)));
}

async function referencedLayers(paths: StorePaths, records: ImageRecord[]): Promise<Set<string>> {
  const keep = new Set(records.flatMap((r) => r.layers.map((l) => paths.layer(l.diffId))));
  for (const lower of await containerLowerDirs(paths, await listDir(paths.containers))) keep.add(join(lower, '..'));
  return keep;
}

async function pruneBlobs(paths: StorePaths, keep: Set<string>, result: PruneResult): Promise<void> {
  for (const name of await listDir(paths.blobs)) {
    if (keep.has(name)) continue;
    const path = join(paths.blobs, name);
    result.bytes += (await lstat(path)).size;
    await rm(path, { force: true });
    result.blobs++;
  }
}

async function pruneLayers(paths: StorePaths, keep: Set<string>, result: PruneResult): Promise<void> {
  for (const name of await listDir(paths.layers)) {
    const path = join(paths.layers, name);
    if (keep.has(path)) continue;
    result.bytes += await treeBytes(path);
    // out of layers/ in one rename, so no reader ever sees a half-deleted layer
    await removeTreeVia(path, paths.tmp);
    result.layers++;
  }
}

async function pruneTarballRecords(paths: StorePaths): Promise<void> {
  for (const name of await listDir(paths.tarballs)) {
    const path = join(paths.tarballs, name);
    const record = await readFile(path, 'utf8').then((t) => JSON.parse(t) as TarballRecord, () => undefined);
    if (!record || !(await listDir(paths.layer(record.diffId))).length) await rm(path, { force: true });
  }
}

/** Remove a tree so that it vanishes from its directory at once: rename into `trash` first, then delete. */
async function removeTreeVia(path: string, trash: string): Promise<void> {
  const doomed = join(trash, `removing-${randomBytes(8).toString('hex')}`);
  try {
    await rename(path, doomed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await rm(doomed, { recursive: true, force: true });
}
