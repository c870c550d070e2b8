import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { ImageError, asImageError } from '../errors';
import { writeFileAtomic } from './atomic-file';
import type { StoreContext } from './context';
import { exists } from './fs-util';
import { commitLayer, unpackLayer } from './layers';
import { withLock } from './lock';

/** What the store remembers about a rootfs tarball it unpacked, keyed by (dev, inode, size, mtime). */
export interface TarballRecord {
  file: string;
  /** Digest of the tarball as it is on disk (compressed). */
  sha256: string;
  /** Digest of the uncompressed tar: names the cached layer. */
  diffId: string;
}

/**
 * A rootfs tarball (.tar, .tar.gz, .tgz, .tar.zst) unpacked once into the layer cache; returns its
 * diffId. The file is identified by stat so a second use costs no read; a changed file gets a new key.
 */
export async function ensureTarballLayer(file: string, ctx: StoreContext): Promise<TarballRecord> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new ImageError(`cannot read rootfs tarball (${e.code ?? e.message})`, { reference: file, path: file });
  });
  const key = createHash('sha256').update(`${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`).digest('hex');
  const recordPath = join(ctx.paths.tarballs, `${key}.json`);
  const cached = await cachedRecord(recordPath, ctx);
  if (cached) return cached;
  return withLock(ctx.paths.lock(`tarball-${key}`), 'exclusive', async () => (await cachedRecord(recordPath, ctx)) ?? unpackTarball(file, recordPath, ctx));
}

async function cachedRecord(recordPath: string, ctx: StoreContext): Promise<TarballRecord | undefined> {
  const record = await readFile(recordPath, 'utf8').then((t) => JSON.parse(t) as TarballRecord, () => undefined);
  return record && (await exists(ctx.paths.layer(record.diffId))) ? record : undefined;
}

async function unpackTarball(file: string, recordPath: string, ctx: StoreContext): Promise<TarballRecord> {
  const tmp = await mkdtemp(join(ctx.paths.tmp, 'tarball-'));
  try {
    const hash = createHash('sha256');
    const input = createReadStream(file);
    // hash the bytes on their way to the unpacker: one read gives both digests
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    input.on('error', (e) => hashing.destroy(e));
    const unpacked = await unpackLayer({ input: input.pipe(hashing), compression: 'auto', layer: file }, tmp, ctx.log).catch((e: unknown) => {
      throw asImageError(e, 'cannot unpack rootfs tarball', { reference: file, path: file });
    });
    const record: TarballRecord = { file, sha256: `sha256:${hash.digest('hex')}`, diffId: unpacked.result.diffId };
    await commitLayer(unpacked, ctx.paths);
    await writeFileAtomic(recordPath, JSON.stringify(record));
    return record;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
