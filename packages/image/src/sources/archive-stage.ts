import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import * as tarStream from 'tar-stream';
import { ImageError, asImageError } from '../errors';
import { assertSha256 } from '../reference';
import { sniffCompression } from './compression';

/** Entries an archive may hold (`docker save` writes about four per layer): bounds the work of staging one. */
export const MAX_ARCHIVE_ENTRIES = 50_000;
/** Files up to this size are hashed in memory and written once per distinct content: repeated entries cost no I/O. */
const IN_MEMORY_FILE = 64 * 1024;

/** One entry (header + body stream) as tar-stream's extractor yields it. */
type TarEntry = tarStream.ExtractEvents['entry'][1];

/** A regular file of a staged archive, stored under its content digest. */
export interface StagedFile {
  digest: string;
  size: number;
}

/**
 * An archive whose regular files were copied into `dir/blobs/sha256/<hex>` by content digest;
 * names inside the archive are only map keys, never host paths (so no traversal is possible).
 */
export class StagedArchive {
  readonly files = new Map<string, StagedFile>();
  readonly links = new Map<string, string>();
  /** digests already written under blobs/ */
  private readonly written = new Set<string>();

  constructor(
    readonly dir: string,
    readonly reference: string,
  ) {}

  /** The staged file at an archive path, following hard and symbolic links between entries. */
  lookup(name: string): StagedFile | undefined {
    let current = normalizeEntryName(name);
    for (let hops = 0; hops < 16 && current !== undefined; hops++) {
      const file = this.files.get(current);
      if (file) return file;
      current = this.links.get(current);
    }
    return undefined;
  }

  /** Like lookup(), but an archive without the entry is an error naming it. */
  require(name: string): StagedFile {
    const file = this.lookup(name);
    if (!file) throw new ImageError('archive has no such file', { reference: this.reference, entry: name });
    return file;
  }

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', assertSha256(digest, this.reference).slice('sha256:'.length));
  }

  /** Store small content read into memory, unless the same bytes are stored already. */
  async keep(bytes: Buffer): Promise<StagedFile> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (!this.written.has(digest)) await writeFile(this.blobPath(digest), bytes);
    this.written.add(digest);
    return { digest, size: bytes.length };
  }

  /** Move a temporary file of known digest under blobs/, or drop it when those bytes are there already. */
  async adopt(tmp: string, file: StagedFile): Promise<StagedFile> {
    if (this.written.has(file.digest)) await rm(tmp);
    else await rename(tmp, this.blobPath(file.digest));
    this.written.add(file.digest);
    return file;
  }
}

/** `./a//b` → `a/b`; undefined for names that leave the archive root. */
export function normalizeEntryName(name: string): string | undefined {
  const n = posix.normalize(name.replace(/^\/+/, '')).replace(/\/+$/, '');
  return n === '..' || n.startsWith('../') || n === '.' || n === '' ? undefined : n;
}

/** Stream a (possibly gzip-compressed) tar once, staging every regular file by digest and recording links. */
export async function stageArchive(file: string, dir: string, reference: string): Promise<StagedArchive> {
  const staged = new StagedArchive(dir, reference);
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const input = await openArchive(file, reference);
  const extract = tarStream.extract();
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract);
  let entries = 0;
  try {
    for await (const entry of extract) {
      if (++entries > MAX_ARCHIVE_ENTRIES) {
        throw new ImageError(`archive has more than ${MAX_ARCHIVE_ENTRIES} entries`, { reference, path: file });
      }
      await stageEntry(staged, entry);
    }
  } catch (e) {
    input.destroy();
    throw asImageError(e, 'cannot read archive', { reference, path: file });
  }
  return staged;
}

async function openArchive(file: string, reference: string): Promise<Readable> {
  const compression = await sniffCompression(file).catch((e: NodeJS.ErrnoException) => {
    throw new ImageError(`cannot open archive (${e.code ?? e.message})`, { reference, path: file });
  });
  if (compression === 'zstd') throw new ImageError('zstd-compressed archives are not supported; decompress it first', { reference, path: file });
  const raw = createReadStream(file);
  if (compression === 'none') return raw;
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

async function stageEntry(staged: StagedArchive, entry: TarEntry): Promise<void> {
  const { type, linkname } = entry.header;
  const name = normalizeEntryName(entry.header.name);
  if (name !== undefined && (type === 'file' || type === 'contiguous-file')) {
    staged.files.set(name, await stageFile(staged, entry));
    return;
  }
  if (name !== undefined && linkname && (type === 'link' || type === 'symlink')) {
    // a hard link names an archive path; a symlink is relative to its own directory
    const target = type === 'link' ? linkname : posix.join(posix.dirname(name), linkname);
    const resolved = normalizeEntryName(target);
    if (resolved !== undefined) staged.links.set(name, resolved);
  }
  // drain the body: the parser moves to the next header only once this entry is consumed
  for await (const chunk of entry) void chunk;
}

/** One regular file, stored under its content digest: small ones from memory, others through a temporary file. */
async function stageFile(staged: StagedArchive, entry: TarEntry): Promise<StagedFile> {
  const chunks = entry as AsyncIterable<Buffer>;
  if ((entry.header.size ?? 0) <= IN_MEMORY_FILE) {
    const parts: Buffer[] = [];
    for await (const chunk of chunks) parts.push(chunk);
    return staged.keep(Buffer.concat(parts));
  }
  const tmp = join(staged.dir, `.entry-${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  const handle = await open(tmp, 'w');
  let size = 0;
  try {
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.length;
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
  return staged.adopt(tmp, { digest: `sha256:${hash.digest('hex')}`, size });
}
