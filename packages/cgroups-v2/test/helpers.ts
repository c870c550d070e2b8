import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Cgroup } from '../src';

export const UNIFIED = '/sys/fs/cgroup/unified';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Test-owned cgroups under the host's cgroup2: each test gets its own parent, removed in afterEach. */
export class Sandbox {
  private readonly children: ChildProcess[] = [];
  private static count = 0;
  readonly parent = `tincan-test-${process.pid}-${++Sandbox.count}`;
  readonly parentDir = join(UNIFIED, this.parent);

  /** A `sleep 100` we can put into a cgroup; killed in cleanup whatever happens. */
  async sleeper(): Promise<{ child: ChildProcess; pid: number; exit: Promise<Exit> }> {
    const child = spawn('sleep', ['100'], { stdio: 'ignore' });
    this.children.push(child);
    const exit = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    if (child.pid === undefined) throw new Error('sleep has no pid');
    return { child, pid: child.pid, exit };
  }

  async cleanup(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (existsSync(this.parentDir)) await Cgroup.open(this.parentDir).remove();
  }
}

/** cgroup.events read straight from the file (populated, frozen). */
export function cgroupEvents(dir: string): Record<string, number> {
  const lines = readFileSync(join(dir, 'cgroup.events'), 'utf8').trim().split('\n');
  return Object.fromEntries(lines.map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
}
