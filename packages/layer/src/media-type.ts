import { quote } from '@tincan/libc-core';
import { LayerError } from './errors';
import type { Compression } from './types';

/** Layer media types (OCI image-spec and docker distribution) → compression. */
const MEDIA_TYPES: ReadonlyMap<string, Exclude<Compression, 'auto'>> = new Map([
  ['application/vnd.oci.image.layer.v1.tar', 'none'],
  ['application/vnd.oci.image.layer.v1.tar+gzip', 'gzip'],
  ['application/vnd.oci.image.layer.v1.tar+zstd', 'zstd'],
  ['application/vnd.oci.image.layer.nondistributable.v1.tar', 'none'],
  ['application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', 'gzip'],
  ['application/vnd.oci.image.layer.nondistributable.v1.tar+zstd', 'zstd'],
  ['application/vnd.docker.image.rootfs.diff.tar', 'none'],
  ['application/vnd.docker.image.rootfs.diff.tar.gzip', 'gzip'],
  ['application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', 'gzip'],
  ['application/vnd.docker.image.rootfs.diff.tar.zstd', 'zstd'],
]);

export function isLayerMediaType(mediaType: string): boolean {
  return MEDIA_TYPES.has(mediaType);
}

/** The compression a layer declares: `compression` wins, then the media type, else 'auto'. */
export function declaredCompression(mediaType: string | undefined, compression: Compression | undefined, layer?: string): Compression {
  if (compression !== undefined) return compression;
  if (mediaType === undefined) return 'auto';
  const c = MEDIA_TYPES.get(mediaType);
  if (c === undefined) throw new LayerError('', `unsupported layer media type ${quote(mediaType)}`, layer);
  return c;
}

/** Compression from the first bytes of the blob (gzip 1f 8b, zstd frame 28 b5 2f fd), else none. */
export function sniffCompression(head: Uint8Array): Exclude<Compression, 'auto'> {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}
