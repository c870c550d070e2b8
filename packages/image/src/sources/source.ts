import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ImageError } from '../errors';
import { parseJson } from '../json';
import { assertSha256 } from '../reference';
import { checkPlatform, manifestMediaType, parseImageConfig, parseIndex, parseManifest, requireManifestDescriptor, selectPlatform } from './documents';
import { MAX_DOCUMENT_BYTES, type Descriptor, type ImageConfig, type ImageManifest, type Platform, isIndexMediaType, platformString } from './oci';

/** A blob body starting at `offset` (0 when the source could not resume where asked). */
export interface BlobStream {
  stream: Readable;
  offset: number;
}

/** The document a source names before platform selection (a manifest or an index). */
export interface RootDocument {
  bytes: Buffer;
  mediaType: string;
  /** Set when the source was addressed by digest, so the bytes must hash to it. */
  digest?: string;
  /** Set when a descriptor named the document, so the bytes must be this long. */
  size?: number;
}

/** One place to read an image from: an OCI layout, an archive, or a registry repository. */
export interface ImageSource {
  /** The source as the user wrote it, for messages and records. */
  readonly reference: string;
  /** The name the store gives the image when the caller gives none (a normalised reference). */
  readonly defaultName?: string;
  root(): Promise<RootDocument>;
  /** A manifest named by an index, as raw bytes (verified by the caller). */
  manifest(desc: Descriptor): Promise<Buffer>;
  /** A blob's bytes from `offset` on. */
  openBlob(desc: Descriptor, offset: number): Promise<BlobStream>;
  /** Drop staging files and connections; safe to call twice. */
  close(): Promise<void>;
}

/** A manifest resolved for one platform, with its config: everything needed to fetch the layers. */
export interface ResolvedImage {
  manifestDigest: string;
  manifestBytes: Buffer;
  manifest: ImageManifest;
  configBytes: Buffer;
  config: ImageConfig;
  /** The index the manifest was chosen from, kept so the store holds the whole document chain. */
  indexDigest?: string;
  indexBytes?: Buffer;
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Throw unless `bytes` has exactly the descriptor's size and digest. */
export function verifyBytes(bytes: Buffer, expected: { digest: string; size?: number }, what: string, reference: string): void {
  const actual = sha256(bytes);
  if (expected.size !== undefined && bytes.length !== expected.size) {
    throw new ImageError(`${what} size mismatch: expected ${expected.size} bytes, got ${bytes.length}`, { reference, blob: expected.digest });
  }
  if (actual !== expected.digest) {
    throw new ImageError(`${what} digest mismatch: expected ${expected.digest}, got ${actual}`, { reference, blob: expected.digest });
  }
}

/** Read a small blob (manifest, config) fully, refusing anything bigger than its descriptor says. */
export async function readSmallBlob(source: ImageSource, desc: Descriptor, what: string): Promise<Buffer> {
  if (desc.size > MAX_DOCUMENT_BYTES) throw new ImageError(`${what} is ${desc.size} bytes (limit ${MAX_DOCUMENT_BYTES})`, { reference: source.reference, blob: desc.digest });
  const { stream } = await source.openBlob(desc, 0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > desc.size) {
      stream.destroy();
      throw new ImageError(`${what} size mismatch: expected ${desc.size} bytes, got more`, { reference: source.reference, blob: desc.digest });
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  verifyBytes(bytes, desc, what, source.reference);
  return bytes;
}

/** A manifest document: raw bytes (what digests cover), parsed JSON, media type. */
interface ManifestDoc {
  bytes: Buffer;
  doc: unknown;
  type: string;
}

/**
 * Follow the root document to this platform's manifest and config, verifying every digest and checking
 * every document against its schema on the way, and refuse an image for another platform: all before
 * the caller stores anything.
 */
export async function resolveImage(source: ImageSource, platform: Platform): Promise<ResolvedImage> {
  const reference = source.reference;
  const root = await source.root();
  if (root.digest) verifyBytes(root.bytes, { digest: root.digest, size: root.size }, 'manifest', reference);
  const rootDoc = parseJson(root.bytes, 'manifest', { reference, blob: root.digest });
  const top: ManifestDoc = { bytes: root.bytes, doc: rootDoc, type: manifestMediaType(rootDoc, root.mediaType, { reference, blob: root.digest }) };
  const chosen = isIndexMediaType(top.type) ? await manifestFromIndex(source, top, platform) : top;
  const manifestDigest = sha256(chosen.bytes);
  const manifest = parseManifest(chosen.doc, chosen.type, { reference, blob: manifestDigest });
  const configBlob = { reference, blob: manifest.config.digest };
  const configBytes = await readSmallBlob(source, manifest.config, 'image config');
  const config = parseImageConfig(parseJson(configBytes, 'image config', configBlob), configBlob);
  checkPlatform(config, platform, configBlob);
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new ImageError(`manifest has ${manifest.layers.length} layers but config lists ${config.rootfs.diff_ids.length} diff_ids`, { reference });
  }
  const index = chosen === top ? {} : { indexDigest: sha256(top.bytes), indexBytes: top.bytes };
  return { manifestDigest, manifestBytes: chosen.bytes, manifest, configBytes, config, ...index };
}

/** The platform's manifest out of an image index (one level: indexes of indexes are refused). */
async function manifestFromIndex(source: ImageSource, index: ManifestDoc, platform: Platform): Promise<ManifestDoc> {
  const reference = source.reference;
  const indexBlob = { reference, blob: sha256(index.bytes) };
  const chosen = requireManifestDescriptor(selectPlatform(parseIndex(index.doc, index.type, 'image index', indexBlob), platform, indexBlob), indexBlob);
  assertSha256(chosen.digest, reference);
  const bytes = await source.manifest(chosen);
  verifyBytes(bytes, chosen, `manifest for ${platformString(platform)}`, reference);
  const doc = parseJson(bytes, 'manifest', { reference, blob: chosen.digest });
  const type = manifestMediaType(doc, chosen.mediaType, { reference, blob: chosen.digest });
  if (isIndexMediaType(type)) throw new ImageError('nested image indexes are not supported', { reference, blob: chosen.digest });
  return { bytes, doc, type };
}
