// A cgroup v2 with limits and live stats, for a process of our own: no container.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Cgroup, type CgroupLimits, type CgroupStats } from '@tincan/cgroups-v2';

/** Runs `sh -c script` inside a new cgroup with `limits`; returns its exit code and the cgroup's stats, then removes it. */
export async function runLimited(script: string, limits: CgroupLimits): Promise<{ code: number | null; stats: CgroupStats }> {
  const cgroup = await Cgroup.create(`example-${process.pid}`, { limits });
  try {
    // the shell waits for a line on stdin, so that it runs `script` only once it is in the cgroup
    const child = spawn('sh', ['-c', `read go; ${script}`], { stdio: ['pipe', 'ignore', 'ignore'] });
    await once(child, 'spawn');
    cgroup.addProcess(child.pid as number);
    child.stdin.end('go\n');
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, stats: cgroup.stats() };
  } finally {
    await cgroup.remove();
  }
}
