import { readFile } from 'node:fs/promises';
import { ImageError } from '../errors';
import { parseJson } from '../json';
import { tryNormalizeImageName } from '../reference';
import type { Platform } from '../sources/oci';
import { withLock } from './lock';
import type { StorePaths } from './paths';

export interface LayerRecord {
  /** The layer blob as stored (compressed). */
  digest: string;
  /** The uncompressed tar's digest: names the cached layer directory. */
  diffId: string;
  size: number;
  mediaType: string;
}

/** One image in the store: a manifest with its config and layers, and the names that point at it. */
export interface ImageRecord {
  /** Manifest digest: the image's identity. */
  digest: string;
  /** Normalised references (e.g. `docker.io/library/alpine:latest`); each name is on one record at most. */
  names: string[];
  configDigest: string;
  mediaType: string;
  /** The index (manifest list) the manifest was chosen from, when there was one. */
  indexDigest?: string;
  platform: Platform;
  /** Bottom layer first, as in the manifest. */
  layers: LayerRecord[];
  /** Bytes of manifest, config and layer blobs. */
  size: number;
  created?: string;
  addedAt: string;
  /** Where it came from, as written (`docker://…`, `oci-archive:/x.tar`, …). */
  source: string;
}

interface IndexFile {
  version: 1;
  images: ImageRecord[];
}

/** The image records; none when the store has no images.json yet (or no store exists). */
export async function readRecords(paths: StorePaths): Promise<ImageRecord[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(paths.index);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    if (code === undefined) throw e;
    throw new ImageError(`cannot read the image records (${code})`, { path: paths.index });
  }
  const doc = parseJson(bytes, 'image records', { path: paths.index }) as Partial<IndexFile> | null;
  if (doc?.version !== 1 || !Array.isArray(doc.images)) {
    throw new ImageError('image records are malformed (want {"version": 1, "images": [...]})', { path: paths.index });
  }
  return doc.images;
}

/** Read-modify-write the records under the index lock; the file is replaced by rename, never rewritten in place. */
export async function updateRecords<T>(paths: StorePaths, mutate: (records: ImageRecord[]) => T): Promise<T> {
  return withLock(paths.indexLock, 'exclusive', async () => {
    const records = await readRecords(paths);
    const result = mutate(records);
    // a module of its own, loaded here: node:crypto takes ~1.5 ms to load and a cached-image start writes no records
    const { writeFileAtomic } = await import('./atomic-file');
    await writeFileAtomic(paths.index, JSON.stringify({ version: 1, images: records } satisfies IndexFile, null, 2));
    return result;
  });
}

/** Add or refresh a record; its names are taken off any other record (a name points at one image). */
export function upsertRecord(records: ImageRecord[], record: ImageRecord): ImageRecord {
  for (const other of records) other.names = other.names.filter((n) => !record.names.includes(n));
  const existing = records.find((r) => r.digest === record.digest);
  if (!existing) {
    records.push(record);
    return record;
  }
  Object.assign(existing, { ...record, names: [...new Set([...existing.names, ...record.names])], addedAt: existing.addedAt });
  return existing;
}

/** Find by name (normalised like docker), by full digest (manifest or config), or by a ≥12-digit hex prefix. */
export function findRecord(records: ImageRecord[], query: string): ImageRecord | undefined {
  if (/^sha256:[a-f0-9]{64}$/.test(query)) return records.find((r) => r.digest === query || r.configDigest === query);
  if (/^[a-f0-9]{12,64}$/.test(query)) {
    const hits = records.filter((r) => r.digest.slice(7).startsWith(query) || r.configDigest.slice(7).startsWith(query));
    if (hits.length > 1) throw new ImageError(`ambiguous image id prefix ${query}`, { reference: query });
    if (hits.length === 1) return hits[0];
  }
  const name = tryNormalizeImageName(query);
  return name === undefined ? undefined : records.find((r) => r.names.includes(name));
}
