import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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

  /**
   * Run device operations in a Node child moved into `cg` (null: left where it is) after its start-up;
   * each result is 'ok' or the errno code (EPERM when the device filter refuses).
   */
  async probeDevices(cg: Cgroup | null, ops: DeviceOp[]): Promise<string[]> {
    const child = spawn(process.execPath, [join(__dirname, 'device-probe.cjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.children.push(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = once(child, 'exit');
    while (!output.startsWith('ready\n')) {
      await Promise.race([once(child.stdout, 'data'), exited.then(() => Promise.reject(new Error(`probe exited early: ${output}`)))]);
    }
    if (cg !== null && child.pid !== undefined) cg.addProcess(child.pid);
    child.stdin.end(`${JSON.stringify(ops)}\n`);
    const [code] = (await exited) as [number | null];
    if (code !== 0) throw new Error(`probe exited ${code}: ${output}`);
    return JSON.parse(output.slice('ready\n'.length)) as string[];
  }

  async cleanup(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (existsSync(this.parentDir)) await Cgroup.open(this.parentDir).remove();
  }
}

/** One operation of the device probe (test/device-probe.cjs). */
/** A fresh Sandbox for each test of the calling describe block, removed (and checked gone) after it. */
export function sandboxPerTest(): () => Sandbox {
  let box: Sandbox | undefined;
  beforeEach(() => {
    box = new Sandbox();
  });
  afterEach(async () => {
    await box?.cleanup();
    expect(existsSync(box?.parentDir ?? '')).toBe(false);
  });
  return () => {
    if (!box) throw new Error('sandboxPerTest: no test is running');
    return box;
  };
}

export type DeviceOp = { open: string; flags: 'r' | 'w' | 'rw' } | { mknod: string; type: 'b' | 'c'; major: number; minor: number };

/** cgroup.events read straight from the file (populated, frozen). */
export function cgroupEvents(dir: string): Record<string, number> {
  const lines = readFileSync(join(dir, 'cgroup.events'), 'utf8').trim().split('\n');
  return Object.fromEntries(lines.map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
}
