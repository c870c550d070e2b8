import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCK_EX, LOCK_SH, tryFlock } from '@tincan/libc';

export type LockMode = 'shared' | 'exclusive';

/**
 * Run `fn` holding flock(2) on `path` (created if needed). flock is per open file description, so
 * it excludes other processes and other callers in this one alike, and dies with a crashed holder.
 */
export async function withLock<T>(path: string, mode: LockMode, fn: () => Promise<T>): Promise<T> {
  const handle = await open(path, 'a', 0o600);
  try {
    await acquire(handle.fd, mode === 'shared' ? LOCK_SH : LOCK_EX);
    return await fn();
  } finally {
    // closing the only fd of this description drops the lock
    await handle.close();
  }
}

/** Poll a non-blocking flock: a blocking one would stall Node's event loop, and with it the holder. */
async function acquire(fd: number, op: typeof LOCK_SH | typeof LOCK_EX): Promise<void> {
  for (let delay = 5; !tryFlock(fd, op); delay = Math.min(delay * 2, 200)) await sleep(delay);
}
