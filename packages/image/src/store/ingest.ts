import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError, asImageError } from '../errors';
import type { Descriptor } from '../sources/oci';
import { type ImageSource, type ResolvedImage, resolveImage } from '../sources/source';
import { downloadBlob } from './blobs';
import type { StoreContext } from './context';
import { exists } from './fs-util';
import { type UnpackedLayer, commitLayer, unpackLayer } from './layers';
import { withLock } from './lock';
import { hexOf } from './paths';
import { mapLimit } from './pool';
import type { ImageRecord, LayerRecord } from './records';

/** Everything fetched and verified for one image, waiting in tmp to be renamed into the store. */
interface Pending {
  tmp: string;
  blobs: { path: string; digest: string }[];
  layers: UnpackedLayer[];
}

/**
 * Bring one image from `source` into the store: resolve and verify the manifest chain, fetch the
 * missing blobs, unpack the missing layers and check their diffIds, and only when all of that
 * succeeded rename everything into blobs/ and layers/ (a failure leaves nothing behind).
 * Callers hold the store lock shared; the per-manifest lock makes a concurrent pull of the same
 * image wait and then find everything in place.
 */
export async function ingestImage(source: ImageSource, ctx: StoreContext, opts: { cacheLayers: boolean }): Promise<Omit<ImageRecord, 'names' | 'addedAt'>> {
  const image = await resolveImage(source, ctx.platform);
  await withLock(ctx.paths.lock(hexOf(image.manifestDigest)), 'exclusive', async () => {
    const pending: Pending = { tmp: await mkdtemp(join(ctx.paths.tmp, 'ingest-')), blobs: [], layers: [] };
    try {
      await stageDocuments(image, pending, ctx);
      await mapLimit(image.manifest.layers, ctx.concurrency, (layer, i) => stageLayer(source, { ...layer, diffId: image.config.rootfs.diff_ids[i] }, pending, ctx, opts.cacheLayers));
      await commit(pending, ctx);
    } finally {
      await rm(pending.tmp, { recursive: true, force: true });
    }
  });
  return recordOf(source, image);
}

/** Manifest, config and index are small and already verified in memory: write the missing ones to tmp. */
async function stageDocuments(image: ResolvedImage, pending: Pending, ctx: StoreContext): Promise<void> {
  const docs: [string, Buffer][] = [
    [image.manifestDigest, image.manifestBytes],
    [image.manifest.config.digest, image.configBytes],
    ...(image.indexDigest && image.indexBytes ? [[image.indexDigest, image.indexBytes] as [string, Buffer]] : []),
  ];
  for (const [digest, bytes] of docs) {
    if (await exists(ctx.paths.blob(digest))) continue;
    const path = join(pending.tmp, hexOf(digest));
    await writeFile(path, bytes, { flush: true });
    pending.blobs.push({ path, digest });
  }
}

/** Fetch a layer blob unless stored, and (when caching) unpack it unless cached. */
async function stageLayer(source: ImageSource, desc: Descriptor & { diffId: string }, pending: Pending, ctx: StoreContext, cacheLayers: boolean): Promise<void> {
  const progress = (bytes: number, done: boolean): void => ctx.onProgress({ kind: 'layer', digest: desc.digest, bytes, total: desc.size, done });
  let blobPath = ctx.paths.blob(desc.digest);
  if (!(await exists(blobPath))) {
    blobPath = join(pending.tmp, hexOf(desc.digest));
    await downloadBlob(source, desc, blobPath, { ...ctx.retry, onBytes: (bytes) => progress(bytes, false) });
    pending.blobs.push({ path: blobPath, digest: desc.digest });
  }
  progress(desc.size, true);
  if (cacheLayers && !(await exists(ctx.paths.layer(desc.diffId)))) pending.layers.push(await unpackVerified(blobPath, desc, pending.tmp, source.reference, ctx));
}

/** Unpack a layer blob into tmp and check that its uncompressed digest is the diffId the config promises. */
async function unpackVerified(blobPath: string, layer: LayerRecord, tmp: string, reference: string, ctx: StoreContext): Promise<UnpackedLayer> {
  const unpacked = await unpackLayer({ input: blobPath, mediaType: layer.mediaType, layer: layer.digest }, tmp, ctx.log).catch((e: unknown) => {
    throw asImageError(e, 'cannot unpack layer', { reference, blob: layer.digest });
  });
  if (unpacked.result.diffId !== layer.diffId) {
    throw new ImageError(`layer diffId mismatch: config says ${layer.diffId}, uncompressed content is ${unpacked.result.diffId}`, { reference, blob: layer.digest });
  }
  return unpacked;
}

/** Unpack `missing`, layers of a stored image that the cache lacks, from the image's stored blobs. */
export async function unpackStoredLayers(record: ImageRecord, missing: readonly LayerRecord[], ctx: StoreContext): Promise<void> {
  const reference = record.names[0] ?? record.digest;
  await withLock(ctx.paths.lock(hexOf(record.digest)), 'exclusive', async () => {
    const tmp = await mkdtemp(join(ctx.paths.tmp, 'layers-'));
    try {
      const unpacked = await mapLimit(missing, ctx.concurrency, (layer) => unpackVerified(ctx.paths.blob(layer.digest), layer, tmp, reference, ctx));
      for (const layer of unpacked) await commitLayer(layer, ctx.paths);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
}

/** Blobs first, then layers: a layer in the cache always has its blob in the store. */
async function commit(pending: Pending, ctx: StoreContext): Promise<void> {
  // renaming over an existing blob is harmless: same digest, same bytes
  for (const blob of pending.blobs) await rename(blob.path, ctx.paths.blob(blob.digest));
  for (const layer of pending.layers) await commitLayer(layer, ctx.paths);
}

function recordOf(source: ImageSource, image: ResolvedImage): Omit<ImageRecord, 'names' | 'addedAt'> {
  const { manifest, config } = image;
  return {
    digest: image.manifestDigest,
    configDigest: manifest.config.digest,
    mediaType: manifest.mediaType,
    ...(image.indexDigest && { indexDigest: image.indexDigest }),
    platform: { os: config.os, architecture: config.architecture, ...(config.variant && { variant: config.variant }) },
    layers: manifest.layers.map((l, i) => ({ digest: l.digest, diffId: config.rootfs.diff_ids[i], size: l.size, mediaType: l.mediaType })),
    size: image.manifestBytes.length + image.configBytes.length + manifest.layers.reduce((n, l) => n + l.size, 0),
    ...(config.created && { created: config.created }),
    source: source.reference,
  };
}
