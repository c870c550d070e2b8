import { ImageError } from '../errors';
import { assertSha256 } from '../reference';

/** OCI image-spec and docker v2 media types this package reads. */
export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Manifests, indexes and configs are read into memory: refuse absurd ones. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** Every manifest or index media type, in the order a registry Accept header lists them. */
export const MANIFEST_MEDIA_TYPES = [MediaType.ociManifest, MediaType.ociIndex, MediaType.dockerManifest, MediaType.dockerManifestList];

const LAYER_MEDIA_TYPES = new Set<string>([
  MediaType.ociLayer,
  MediaType.ociLayerGzip,
  MediaType.ociLayerZstd,
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  MediaType.dockerLayerGzip,
  'application/vnd.docker.image.rootfs.diff.tar.zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
]);

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface ImageManifest {
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  mediaType: string;
  manifests: Descriptor[];
}

/** The fields of an OCI/docker image config that tincan uses. */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, object> | null;
    StopSignal?: string;
  };
  rootfs: { type: string; diff_ids: string[] };
}

/** This machine's platform in OCI terms (Node's arch names differ: x64 → amd64). */
export function hostPlatform(): Platform {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : process.arch;
  return { os: 'linux', architecture: arch, ...(arch === 'arm64' && { variant: 'v8' }) };
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}

/** Parse JSON bytes, naming what they were in the error. */
export function parseJson(bytes: Buffer, what: string, reference: string, blob?: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (e) {
    throw new ImageError(`${what} is not valid JSON (${(e as Error).message})`, { reference, blob });
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validate a descriptor: sha256 digest, non-negative integer size, a media type. */
export function parseDescriptor(v: unknown, reference: string): Descriptor {
  if (!isRecord(v) || typeof v.mediaType !== 'string' || typeof v.digest !== 'string' || !Number.isSafeInteger(v.size) || (v.size as number) < 0) {
    throw new ImageError(`malformed descriptor ${JSON.stringify(v)}`, { reference });
  }
  assertSha256(v.digest, reference);
  const d: Descriptor = { mediaType: v.mediaType, digest: v.digest, size: v.size as number };
  if (isRecord(v.annotations)) d.annotations = v.annotations as Record<string, string>;
  if (isRecord(v.platform) && typeof v.platform.os === 'string' && typeof v.platform.architecture === 'string') {
    d.platform = { os: v.platform.os, architecture: v.platform.architecture, ...(typeof v.platform.variant === 'string' && { variant: v.platform.variant }) };
  }
  return d;
}

/** The media type of a manifest document: its own field, else the transport's Content-Type. */
export function manifestMediaType(doc: unknown, fallback: string | undefined, reference: string): string {
  const own = isRecord(doc) && typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const guess = isRecord(doc) && Array.isArray(doc.manifests) ? MediaType.ociIndex : MediaType.ociManifest;
  const type = own ?? (fallback && MANIFEST_MEDIA_TYPES.includes(fallback as never) ? fallback : guess);
  if (!MANIFEST_MEDIA_TYPES.includes(type as never)) throw new ImageError(`unsupported manifest media type ${type}`, { reference });
  return type;
}

export function parseIndex(doc: unknown, mediaType: string, reference: string): ImageIndex {
  if (!isRecord(doc) || !Array.isArray(doc.manifests)) throw new ImageError('malformed image index (no manifests array)', { reference });
  return { mediaType, manifests: doc.manifests.map((m) => parseDescriptor(m, reference)) };
}

export function parseManifest(doc: unknown, mediaType: string, reference: string): ImageManifest {
  if (!isRecord(doc) || !Array.isArray(doc.layers)) throw new ImageError('malformed image manifest (no layers array)', { reference });
  const layers = doc.layers.map((l) => parseDescriptor(l, reference));
  for (const l of layers) {
    if (!LAYER_MEDIA_TYPES.has(l.mediaType)) throw new ImageError(`unsupported layer media type ${l.mediaType}`, { reference, blob: l.digest });
  }
  const manifest: ImageManifest = { mediaType, config: parseDescriptor(doc.config, reference), layers };
  if (isRecord(doc.annotations)) manifest.annotations = doc.annotations as Record<string, string>;
  return manifest;
}

export function parseImageConfig(doc: unknown, reference: string, blob: string): ImageConfig {
  const rootfs = isRecord(doc) ? doc.rootfs : undefined;
  if (!isRecord(doc) || !isRecord(rootfs) || !Array.isArray(rootfs.diff_ids) || !rootfs.diff_ids.every((d) => typeof d === 'string')) {
    throw new ImageError('malformed image config (no rootfs.diff_ids)', { reference, blob });
  }
  for (const d of rootfs.diff_ids as string[]) assertSha256(d, reference);
  return doc as unknown as ImageConfig;
}

/**
 * Pick the manifest for `want` from an index: same os and architecture, and the variant when
 * both sides name one (arm64 manifests often omit `v8`).
 */
export function selectPlatform(index: ImageIndex, want: Platform, reference: string): Descriptor {
  const candidates = index.manifests.filter((m) => !isIndexMediaType(m.mediaType) && m.platform?.os === want.os && m.platform.architecture === want.architecture);
  const exact = candidates.find((m) => m.platform?.variant === want.variant);
  const loose = candidates.find((m) => m.platform?.variant === undefined || want.variant === undefined);
  const chosen = exact ?? loose;
  if (chosen) return chosen;
  const offered = index.manifests.map((m) => (m.platform ? platformString(m.platform) : 'unknown')).join(', ');
  throw new ImageError(`no manifest for platform ${platformString(want)} (index offers: ${offered || 'nothing'})`, { reference });
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}
