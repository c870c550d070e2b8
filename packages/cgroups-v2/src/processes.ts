import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readText } from './cgroupfs';

/** The pids in `dir`'s cgroup.procs (this cgroup only, not its children). */
export function readProcs(dir: string): number[] {
  return readText(dir, 'cgroup.procs').split('\n').filter(Boolean).map(Number);
}

/** `dir` and every child cgroup below it, children before their parents (the order rmdir needs). */
export function subtreeBottomUp(dir: string): string[] {
  const children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  return [...children.flatMap((c) => subtreeBottomUp(join(dir, c.name))), dir];
}

/** cgroup.procs of a child cgroup that may be removed while we walk (ENOENT → none). */
function procsIfPresent(dir: string): number[] {
  try {
    return readProcs(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** SIGKILL every process in the subtree (for kernels before 5.14, which have no cgroup.kill). */
export function sigkillEachProcess(dir: string): number {
  let sent = 0;
  for (const pid of subtreeBottomUp(dir).flatMap(procsIfPresent)) {
    try {
      process.kill(pid, 'SIGKILL');
      sent++;
    } catch (err) {
      // ESRCH: it exited between reading cgroup.procs and the kill
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return sent;
}
