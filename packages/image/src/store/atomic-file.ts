import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/** Write to a sibling temp file, fsync it, rename it over the target (readers see old or new, never half). */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path).catch(async (e: unknown) => {
    await rm(tmp, { force: true });
    throw e;
  });
}
