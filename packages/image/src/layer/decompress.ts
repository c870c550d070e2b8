import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Decompress } from 'fzstd';
import { sniffCompression } from './media-type';
import type { Compression } from './types';

/** Bytes zlib inflates per step: large steps mean fewer threadpool round trips and bigger writes. */
const GUNZIP_CHUNK = 256 * 1024;
/** Bytes needed to recognise every supported magic number. */
const MAGIC_BYTES = 4;

/** Receives the uncompressed tar stream chunk by chunk (synchronously: chunks may be reused after). */
export type ChunkSink = (chunk: Uint8Array) => void;

/**
 * Decompress `input` as `compression` ('auto': sniffed) and hand every uncompressed chunk to `sink`.
 * gzip inflates on the libuv threadpool (overlapping the sink's syscalls); zstd uses fzstd, which
 * is pure JS and fails cleanly on corrupt or truncated frames (zstddec's wasm stream can spin forever).
 */
export async function pumpDecompressed(
  input: AsyncIterable<Uint8Array>,
  compression: Compression,
  sink: ChunkSink,
  signal?: AbortSignal,
): Promise<void> {
  const rest = input[Symbol.asyncIterator]();
  const head = await readHead(rest);
  const kind = compression === 'auto' ? sniffCompression(Buffer.concat(head)) : compression;
  const source = replay(head, rest);
  const opts = signal === undefined ? {} : { signal };
  if (kind === 'gzip') await pipeline(source, createGunzip({ chunkSize: GUNZIP_CHUNK }), drainTo(sink), opts);
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
    for await (const chunk of src) z.push(chunk);
    z.push(new Uint8Array(0), true);
  };
}
