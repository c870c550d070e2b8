import { chmodSync, mkdirSync } from 'node:fs';

/** mkdir with exactly `mode`, whatever the caller's umask (a container's mapped root must traverse what we make). */
export function makeDir(path: string, mode: number): string {
  mkdirSync(path, { mode });
  chmodSync(path, mode);
  return path;
}
