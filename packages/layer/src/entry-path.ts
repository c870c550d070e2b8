import { LayerError } from './errors';
import { MAX_COMPONENT_LENGTH } from './limits';

/** A normalised entry path: '' is the root, otherwise components joined by '/' (no '.', '..', or empty ones). */
export interface EntryPath {
  path: string;
  parent: string;
  base: string;
}

/**
 * Make an entry name (or hard link target) relative to the root and lexically clean. A leading '/'
 * is dropped (names are root-relative); a '..' that would climb above the root is refused.
 */
export function normalizeEntryPath(raw: string, limits: { maxNameLength: number; maxDepth: number }, layer?: string): EntryPath {
  const { maxNameLength, maxDepth } = limits;
  if (raw.includes('\0')) throw new LayerError(raw, 'name contains a NUL byte', layer);
  if (raw.length > maxNameLength || (raw.length * 3 > maxNameLength && Buffer.byteLength(raw) > maxNameLength)) {
    throw new LayerError(raw, `name longer than ${maxNameLength} bytes`, layer);
  }
  const out: string[] = [];
  for (const c of raw.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (out.length === 0) throw new LayerError(raw, 'path escapes the root', layer);
      out.pop();
      continue;
    }
    if (c.length > MAX_COMPONENT_LENGTH / 3 && Buffer.byteLength(c) > MAX_COMPONENT_LENGTH) {
      throw new LayerError(raw, `path component longer than ${MAX_COMPONENT_LENGTH} bytes`, layer);
    }
    out.push(c);
  }
  if (out.length > maxDepth) throw new LayerError(raw, `path nests deeper than ${maxDepth} directories`, layer);
  const base = out.pop() ?? '';
  const parent = out.join('/');
  return { path: parent === '' ? base : `${parent}/${base}`, parent, base };
}

/** Parent of a normalised path ('' for top-level names and the root). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/**
 * Where symlink `target` found in directory `dir` points, lexically and inside the root: an
 * absolute target starts at the root and '..' stops there, as openat2 RESOLVE_IN_ROOT resolves it.
 */
export function joinInRoot(dir: string, target: string): string {
  const out = target.startsWith('/') || dir === '' ? [] : dir.split('/');
  for (const c of target.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return out.join('/');
}
