import { readFileSync } from 'node:fs';

let userNs: boolean | undefined;
let umask: number | undefined;

/** True inside a user namespace (the uid map is not the initial identity map): mknod of devices is refused there. */
export function inUserNamespace(): boolean {
  userNs ??= readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') !== '0 0 4294967295';
  return userNs;
}

/** The process umask, read from /proc/self/status (process.umask() without an argument is deprecated). */
export function processUmask(): number {
  umask ??= parseInt(/^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '777', 8);
  return umask;
}
