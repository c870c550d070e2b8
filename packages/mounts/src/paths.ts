import { posix } from 'node:path';

/** A container path that is not absolute, or names the root itself where that makes no sense. */
export class MountSpecError extends Error {
  override readonly name = 'MountSpecError';
}

/** Normalise an absolute container path ("/a/../b//c" → "/b/c"); escapes are impossible after it. */
export function containerPath(path: string, what: string): string {
  if (!path.startsWith('/')) throw new MountSpecError(`${what}: container path must be absolute: "${path}"`);
  if (path.includes('\0')) throw new MountSpecError(`${what}: container path contains a NUL byte`);
  return posix.normalize(path).replace(/\/+$/, '') || '/';
}

/** Parents before children, so a volume at /a/b lands on top of one at /a. */
export function byDepth<T extends { target: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.target.split('/').length - b.target.split('/').length);
}
