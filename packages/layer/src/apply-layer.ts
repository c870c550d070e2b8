import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { LayerApplier } from './applier';
import { pumpDecompressed } from './decompress';
import { asLayerError, LayerError } from './errors';
import { resolveLimits } from './limits';
import { declaredCompression } from './media-type';
import { TarParser } from './tar-parser';
import type { ApplyOptions, LayerResult } from './types';
import { inUserNamespace } from './process-info';

/** Read size for layer files: large reads keep the decompressor fed with few syscalls. */
const READ_CHUNK = 1024 * 1024;

/**
 * Apply one layer (a stream or a file path) to `dest` and return its counts and diffId (sha256
 * of the uncompressed tar, computed while streaming). Hostile layers cannot touch anything
 * outside dest: see LayerApplier and RootDir.
 */
export async function applyLayer(input: Readable | string, dest: string, opts: ApplyOptions): Promise<LayerResult> {
  const layer = opts.layer ?? (typeof input === 'string' ? input : undefined);
  opts.signal?.throwIfAborted();
  const compression = declaredCompression(opts.mediaType, opts.compression, layer);
  const limits = resolveLimits(opts.limits);
  let warnings = 0;
  const warn = (entry: string, message: string): void => {
    warnings++;
    opts.onWarning?.({ entry, message });
  };
  mkdirSync(dest, { recursive: true });
  const applier = new LayerApplier(dest, {
    mode: opts.mode,
    idMap: opts.idMap,
    devices: opts.devices !== false && !inUserNamespace(),
    limits,
    layer,
    warn,
  });
  const parser = new TarParser(applier, limits, layer);
  const hash = createHash('sha256');
  let bytes = 0;
  const sink = (chunk: Uint8Array): void => {
    bytes += chunk.length;
    if (bytes > limits.maxBytes) throw new LayerError(parser.current, `the uncompressed layer exceeds the limit of ${limits.maxBytes} bytes`, layer);
    hash.update(chunk);
    parser.push(chunk);
  };
  const stream = typeof input === 'string' ? createReadStream(input, { highWaterMark: READ_CHUNK }) : input;
  try {
    await pumpDecompressed(stream, compression, sink, opts.signal);
    parser.end();
    applier.finish();
  } catch (err) {
    applier.close();
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw asLayerError(err, '', layer);
  }
  return { entries: parser.entries, bytes, whiteouts: applier.whiteoutCount, warnings, diffId: `sha256:${hash.digest('hex')}` };
}
