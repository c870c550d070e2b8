import { ImageError, type ImageErrorContext } from '../errors';
import { isRecord } from '../json';
import { isLayerMediaType } from '@tincan/layer';
import { validateDocument } from '../schema/validate';
import { quote } from '../text';
import {
  type Descriptor, type ImageConfig, type ImageIndex, type ImageManifest, type Platform, MANIFEST_MEDIA_TYPES, MediaType,
  isIndexMediaType, platformString,
} from './oci';

// An image's JSON documents (index, manifest, config) as read from a source: each is checked against
// its schema (schema/: the OCI image-spec's, plus tincan's rules) before anything in it is used.

/** A descriptor as the schemas describe it: known fields typed, the rest left alone. */
interface RawDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

interface RawIndex {
  mediaType?: string;
  manifests: RawDescriptor[];
}

interface RawManifest {
  mediaType?: string;
  config: RawDescriptor;
  layers: RawDescriptor[];
  annotations?: Record<string, string>;
}

/** Entries of an index listed in a message: enough to see what is on offer. */
const LISTED_PLATFORMS = 20;

function isManifestMediaType(mediaType: string): boolean {
  return (MANIFEST_MEDIA_TYPES as readonly string[]).includes(mediaType);
}

/**
 * The media type of a manifest or index document: its own `mediaType`, else the one it was served or
 * named with, else what its shape says. A document whose own type contradicts the declared one is refused.
 */
export function manifestMediaType(doc: unknown, declared: string | undefined, context: ImageErrorContext): string {
  const own = isRecord(doc) && typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const known = declared !== undefined && isManifestMediaType(declared) ? declared : undefined;
  if (own !== undefined && known !== undefined && own !== known) {
    throw new ImageError(`manifest says its media type is ${quote(own)}, but it was named as ${quote(known)}`, context);
  }
  const guess = isRecord(doc) && Array.isArray(doc.manifests) ? MediaType.ociIndex : MediaType.ociManifest;
  const type = own ?? known ?? guess;
  if (!isManifestMediaType(type)) throw new ImageError(`unsupported manifest media type ${quote(type)}`, context);
  return type;
}

/** A descriptor that must name an image manifest or index (what an index entry or a layout tag points at). */
export function requireManifestDescriptor(desc: Descriptor, context: ImageErrorContext): Descriptor {
  if (!isManifestMediaType(desc.mediaType)) {
    const why = `descriptor has media type ${quote(desc.mediaType)}, which is no image manifest or index`;
    throw new ImageError(why, { ...context, blob: desc.digest });
  }
  return desc;
}

export function parseIndex(doc: unknown, mediaType: string, what: string, context: ImageErrorContext): ImageIndex {
  const index = validateDocument<RawIndex>('index', doc, what, context);
  return { mediaType: index.mediaType ?? mediaType, manifests: index.manifests.map(descriptor) };
}

export function parseManifest(doc: unknown, mediaType: string, context: ImageErrorContext): ImageManifest {
  const m = validateDocument<RawManifest>('manifest', doc, 'manifest', context);
  m.layers.forEach((l, i) => {
    if (isLayerMediaType(l.mediaType)) return;
    throw new ImageError(`manifest: layers[${i}].mediaType ${quote(l.mediaType)} is no layer type tincan can unpack`, context);
  });
  return {
    mediaType,
    config: descriptor(m.config),
    layers: m.layers.map(descriptor),
    ...(m.annotations && { annotations: m.annotations }),
  };
}

/**
 * An image config checked against its schema. docker writes its empty `config` fields as null (Go's
 * nil slices and maps): those count as absent, as docker itself reads them.
 */
export function parseImageConfig(doc: unknown, context: ImageErrorContext): ImageConfig {
  const c = isRecord(doc) && isRecord(doc.config) ? { ...doc, config: withoutNulls(doc.config) } : doc;
  validateDocument<ImageConfig>('config', c, 'image config', context);
  return doc as ImageConfig;
}

/** Refuse an image built for another platform (a variant counts only when both name one: arm64 images often omit v8). */
export function checkPlatform(config: ImageConfig, want: Platform, context: ImageErrorContext): void {
  const have: Platform = { os: config.os, architecture: config.architecture, ...(config.variant && { variant: config.variant }) };
  const variantOk = have.variant === undefined || want.variant === undefined || have.variant === want.variant;
  if (have.os === want.os && have.architecture === want.architecture && variantOk) return;
  throw new ImageError(`image is for ${platformString(have)}, not ${platformString(want)}`, context);
}

/**
 * Pick the manifest for `want` from an index: same os and architecture, and the variant when both
 * sides name one (arm64 manifests often omit `v8`).
 */
export function selectPlatform(index: ImageIndex, want: Platform, context: ImageErrorContext): Descriptor {
  const isImage = (m: Descriptor): boolean => isManifestMediaType(m.mediaType) && !isIndexMediaType(m.mediaType);
  const candidates = index.manifests.filter((m) => isImage(m) && m.platform?.os === want.os && m.platform.architecture === want.architecture);
  const exact = candidates.find((m) => m.platform?.variant === want.variant);
  const loose = candidates.find((m) => m.platform?.variant === undefined || want.variant === undefined);
  const chosen = exact ?? loose;
  if (chosen) return chosen;
  const offered = index.manifests.slice(0, LISTED_PLATFORMS).map((m) => (m.platform ? platformString(m.platform) : 'unknown'));
  const more = index.manifests.length > LISTED_PLATFORMS ? `, … (${index.manifests.length} in all)` : '';
  const offers = `${offered.join(', ') || 'nothing'}${more}`;
  throw new ImageError(`no manifest for platform ${platformString(want)} (index offers: ${offers})`, context);
}

function descriptor(d: RawDescriptor): Descriptor {
  const p = d.platform;
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.annotations && { annotations: d.annotations }),
    ...(p && { platform: { os: p.os, architecture: p.architecture, ...(p.variant !== undefined && { variant: p.variant }) } }),
  };
}

function withoutNulls(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null));
}
