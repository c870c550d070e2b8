import type { Stats } from 'node:fs';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { lgetxattr } from '@tincan/libc';

const OPAQUE_XATTRS = ['trusted.overlay.opaque', 'user.overlay.opaque'];
const MAX_SYMLINK_HOPS = 40;

/** One path of the merged view, found in a lower dir. */
interface Hit {
  hostPath: string;
  st: Stats;
}

/**
 * Read a file of an image's rootfs straight from its overlay lower dirs (topmost first), the way
 * overlayfs would show it: whiteouts (0:0 char devices) and opaque dirs hide what is below, and
 * symlinks are followed inside the image (an absolute target starts at the image root).
 */
export async function readImageFile(lowerDirs: readonly string[], path: string): Promise<Buffer | undefined> {
  const hit = await resolveInImage(lowerDirs, path);
  return hit?.st.isFile() ? readFile(hit.hostPath) : undefined;
}

async function resolveInImage(lowerDirs: readonly string[], path: string): Promise<Hit | undefined> {
  const pending = split(path);
  let resolved: string[] = [];
  let hit: Hit | undefined;
  for (let hops = 0; pending.length > 0; ) {
    const name = pending.shift() as string;
    if (name === '..') {
      resolved = resolved.slice(0, -1);
      continue;
    }
    hit = await lookupMerged(lowerDirs, [...resolved, name]);
    if (!hit) return undefined;
    if (hit.st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) return undefined;
      const target = await readlink(hit.hostPath);
      if (target.startsWith('/')) resolved = [];
      pending.unshift(...split(target));
      continue;
    }
    if (pending.length > 0 && !hit.st.isDirectory()) return undefined;
    resolved.push(name);
  }
  return hit;
}

function split(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/** The topmost lower that has `components`, unless a layer above hides it. */
async function lookupMerged(lowerDirs: readonly string[], components: string[]): Promise<Hit | undefined> {
  for (const lower of lowerDirs) {
    const hostPath = join(lower, ...components);
    const st = await lstat(hostPath).catch(() => undefined);
    if (st) return isWhiteout(st) ? undefined : { hostPath, st };
    if (await hidesBelow(lower, components)) return undefined;
  }
  return undefined;
}

/** A layer hides lower copies of a path when one of its ancestors there is a whiteout, a non-directory, or opaque. */
async function hidesBelow(lower: string, components: string[]): Promise<boolean> {
  for (let depth = components.length - 1; depth > 0; depth--) {
    const ancestor = join(lower, ...components.slice(0, depth));
    const st = await lstat(ancestor).catch(() => undefined);
    if (!st) continue;
    if (!st.isDirectory()) return true;
    if (OPAQUE_XATTRS.some((name) => lgetxattr(ancestor, name)?.toString() === 'y')) return true;
  }
  return false;
}

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}
