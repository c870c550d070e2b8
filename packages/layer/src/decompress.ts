import { createGunzip, type ZlibOptions } from 'node:zlib';
import type { Readable, TransformOptions } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Decompress } from 'fzstd';
import { errorMessage } from './errors';
import { sniffCompression } from './media-type';
import type { Compression } from './types';

/** Bytes zlib inflates per step: large steps mean fewer threadpool round trips and bigger writes. */
const GUNZIP_CHUNK = 256 * 1024;
/** Inflated bytes zlib may run ahead of the sink, so it keeps the second core busy while we write. */
const GUNZIP_READ_AHEAD = 8 * 1024 * 1024;
/** zlib streams pass stream options on to their Transform (Node's typings only list zlib's own). */
const GUNZIP_OPTIONS: ZlibOptions & TransformOptions = { chunkSize: GUNZIP_CHUNK, readableHighWaterMark: GUNZIP_READ_AHEAD };
/** Bytes needed to recognise every supported magic number. */
const MAGIC_BYTES = 4;

/** Receives the uncompressed tar stream chunk by chunk (synchronously: chunks may be reused after). */
export type ChunkSink = (chunk: Uint8Array) => void;

/**
 * Decompress `input` as `compression` ('auto': sniffed) and hand every uncompressed chunk to `sink`.
 * gzip inflates on the libuv threadpool (overlapping the sink's syscalls); zstd uses fzstd, which
 * is pure JS and fails cleanly on corrupt or truncated frames (zstddec's wasm stream can spin forever).
 */
export async function pumpDecompressed(input: Readable, compression: Compression, sink: ChunkSink, signal?: AbortSignal): Promise<void> {
  // a pending read only ends when its stream does: abort by destroying the input
  const abort = (): void => void input.destroy(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  try {
    await pump(input, compression, sink, signal);
  } finally {
    signal?.removeEventListener('abort', abort);
  }
}

async function pump(input: Readable, compression: Compression, sink: ChunkSink, signal?: AbortSignal): Promise<void> {
  const rest = (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const head = await readHead(rest);
  const kind = compression === 'auto' ? sniffCompression(Buffer.concat(head)) : compression;
  const source = replay(head, rest);
  const opts = signal === undefined ? {} : { signal };
  if (kind === 'gzip') await pipeline(source, createGunzip(GUNZIP_OPTIONS), drainTo(sink), opts).catch(nameCodec('gzip'));
  else if (kind === 'zstd') await pipeline(source, inflateZstdTo(sink), opts);
  else await pipeline(source, drainTo(sink), opts);
}

/** The first chunks of the stream, until there are enough bytes to sniff a magic number. */
async function readHead(it: AsyncIterator<Uint8Array>): Promise<Uint8Array[]> {
  const head: Uint8Array[] = [];
  let n = 0;
  while (n < MAGIC_BYTES) {
    const r = await it.next();
    if (r.done) break;
    head.push(r.value);
    n += r.value.length;
  }
  return head;
}

/** The sniffed chunks again, then the rest of the stream (closing it if we stop early). */
async function* replay(head: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* head;
    for (;;) {
      const r = await rest.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await rest.return?.();
  }
}

function drainTo(sink: ChunkSink): (src: AsyncIterable<Uint8Array>) => Promise<void> {
  return async (src) => {
    for await (const chunk of src) sink(chunk);
  };
}

function inflateZstdTo(sink: ChunkSink): (src: AsyncIterable<Uint8Array>) => Promise<void> {
  return async (src) => {
    // fzstd calls back synchronously inside push(), so the sink sees each block before it is reused
    const z = new Decompress((data) => {
      if (data.length > 0) sink(data);
    });
    const push = (chunk: Uint8Array, final: boolean): void => {
      try {
        z.push(chunk, final);
      } catch (err) {
        if (isZstdError(err)) throw new Error(`zstd: ${errorMessage(err)}`, { cause: err });
        throw err; // the sink's own errors pass through untouched
      }
    };
    for await (const chunk of src) push(chunk, false);
    push(new Uint8Array(0), true);
  };
}

/** fzstd's errors carry a numeric code (ZstdErrorCode). */
function isZstdError(err: unknown): boolean {
  return typeof (err as { code?: unknown } | null)?.code === 'number';
}

/** zlib's errors ("incorrect header check") name no codec: say which one failed. */
function nameCodec(codec: string): (err: unknown) => never {
  return (err) => {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('Z_')) throw new Error(`${codec}: ${errorMessage(err)}`, { cause: err });
    throw err;
  };
}
