import { readFileSync } from 'node:fs';

let cached: boolean | undefined;

/** True inside a user namespace (the uid map is not the initial identity map): mknod of devices is refused there. */
export function inUserNamespace(): boolean {
  cached ??= readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') !== '0 0 4294967295';
  return cached;
}
