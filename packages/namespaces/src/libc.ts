import type * as Libc from '@tincan/libc';
import { requireLibc } from '@tincan/libc-core';

/**
 * @tincan/libc (koffi), an optional peer: only two features here make a system call Node has no API
 * for, checking a namespace file (ioctl NS_GET_NSTYPE) and locking the auto id map registry (flock).
 */
export function libc(feature: string): typeof Libc {
  return requireLibc<typeof Libc>(__filename, '@tincan/namespaces', feature);
}
