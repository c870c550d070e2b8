import { type Hash, createHash } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { ImageError, asImageError, messageOf } from '../errors';
import { type RetryPolicy, backoff } from '../registry/http';
import type { Descriptor } from '../sources/oci';
import type { ImageSource } from '../sources/source';

export interface DownloadOptions extends RetryPolicy {
  /** Called with the running byte count after each chunk. */
  onBytes?: (bytes: number) => void;
}

/**
 * Stream a blob into `tmpPath`, hashing and counting as it arrives. A broken stream (network
 * error) is resumed from the bytes already written; a size or digest mismatch deletes the file
 * and fails for good. ImageErrors from the source (4xx, missing blob) are not retried.
 */
export async function downloadBlob(source: ImageSource, desc: Descriptor, tmpPath: string, opts: DownloadOptions): Promise<void> {
  const state = { hash: createHash('sha256'), written: 0 };
  const handle = await open(tmpPath, 'w', 0o644);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await receive(source, desc, handle, state, opts);
        break;
      } catch (e) {
        if (e instanceof ImageError || attempt + 1 >= opts.attempts) throw e;
        opts.log?.(`${source.reference}: blob ${desc.digest} interrupted at ${state.written}/${desc.size} bytes (${messageOf(e)}), resuming`);
        await backoff(opts, attempt);
      }
    }
    verifyDigest(source, desc, state);
    // the blob is renamed into the store later: its bytes must be on disk before its name is
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(tmpPath, { force: true });
    throw asImageError(e, 'download failed', { reference: source.reference, blob: desc.digest });
  }
  await handle.close();
}

/** One attempt: ask for the bytes from `written` on and append them; a source that restarts at 0 resets the hash. */
async function receive(source: ImageSource, desc: Descriptor, handle: FileHandle, state: { hash: Hash; written: number }, opts: DownloadOptions): Promise<void> {
  const { stream, offset } = await source.openBlob(desc, state.written);
  if (offset !== state.written) {
    state.hash = createHash('sha256');
    state.written = 0;
    await handle.truncate(0);
  }
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (state.written + chunk.length > desc.size) {
        throw new ImageError(`blob size mismatch: expected ${desc.size} bytes, got more`, { reference: source.reference, blob: desc.digest });
      }
      await handle.write(chunk, 0, chunk.length, state.written);
      state.hash.update(chunk);
      state.written += chunk.length;
      opts.onBytes?.(state.written);
    }
    // a connection closed early is worth resuming, so this is a plain (retried) error
    if (state.written < desc.size) throw new Error(`size mismatch: stream ended after ${state.written} of ${desc.size} bytes`);
  } finally {
    stream.destroy();
  }
}

function verifyDigest(source: ImageSource, desc: Descriptor, state: { hash: Hash; written: number }): void {
  if (state.written !== desc.size) {
    throw new ImageError(`blob size mismatch: expected ${desc.size} bytes, got ${state.written}`, { reference: source.reference, blob: desc.digest });
  }
  const actual = `sha256:${state.hash.digest('hex')}`;
  if (actual !== desc.digest) throw new ImageError(`blob digest mismatch: expected ${desc.digest}, got ${actual}`, { reference: source.reference, blob: desc.digest });
}
