import { open } from 'node:fs/promises';
import type { Compression as LayerCompression } from '@tincan/layer';
import { MediaType } from './oci';

export type Compression = Exclude<LayerCompression, 'auto'>;

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/** The compression of a file, from its magic bytes (names lie: docker's layer.tar and a `.tar` rootfs may be gzip). */
export async function sniffCompression(path: string): Promise<Compression> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead >= 2 && head.subarray(0, 2).equals(GZIP_MAGIC)) return 'gzip';
    if (bytesRead >= 4 && head.equals(ZSTD_MAGIC)) return 'zstd';
    return 'none';
  } finally {
    await handle.close();
  }
}

/** The OCI layer media type of a tar with this compression. */
export function layerMediaType(compression: Compression): string {
  return compression === 'gzip' ? MediaType.ociLayerGzip : compression === 'zstd' ? MediaType.ociLayerZstd : MediaType.ociLayer;
}
