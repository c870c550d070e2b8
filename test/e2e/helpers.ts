import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(__dirname, '..', '..');
export const ROOTFS = join(REPO, 'test', 'fixtures', 'out', 'rootfs');
export const ROOTFS_TAR = join(REPO, 'test', 'fixtures', 'out', 'rootfs.tar.gz');
export const TINCAN = join(REPO, 'apps', 'tincan', 'bin', 'tincan');
export const STATE_ROOT = '/run/tincan';
/** Where the cgroups plugin creates per-container cgroups on this host. */
export const CGROUP_PARENT = '/sys/fs/cgroup/unified/tincan';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the tincan CLI to completion. */
export function tincan(args: string[], input?: string): CliResult {
  const r = spawnSync(process.execPath, [TINCAN, ...args], { encoding: 'utf8', input: input ?? '', timeout: 60_000 });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Start the tincan CLI in the background (for signal tests). */
export function tincanAsync(args: string[]) {
  const child = spawn(process.execPath, [TINCAN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, output: () => stdout };
}

/** Everything a container could leave behind on the host. */
export interface HostTraces {
  stateDirs: string[];
  cgroups: string[];
  mounts: string[];
}

export function hostTraces(): HostTraces {
  const entries = (d: string) => (existsSync(d) ? readdirSync(d) : []);
  return {
    stateDirs: entries(STATE_ROOT).filter((n) => /^[0-9a-f]{12}$/.test(n)),
    cgroups: entries(CGROUP_PARENT).filter((n) => n.startsWith('tincan-')),
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes('/run/tincan') || l.includes(ROOTFS)),
  };
}

/** Wait until `fn` is true or fail after `ms`. */
export async function eventually(fn: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Processes on the host whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter((p) => p !== process.pid);
}
