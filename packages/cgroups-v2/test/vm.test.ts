import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

// Real memory/pids/cpu/io enforcement needs a cgroup2-only kernel: this hybrid host has none,
// so test/vm/enforcement.mjs runs the built package in the repository's VM (test/vm/machine).
const PKG = resolve(__dirname, '..');
const REPO = resolve(PKG, '../..');
const RUN_IN_VM = resolve(REPO, 'test/vm/machine/run-in-vm.sh');
const VM_DIR = process.env.VM_DIR ?? '/var/tmp/tincan-test-vm';
const vmReady = existsSync(join(VM_DIR, 'vmlinux'));
const notReady = `no VM kernel at ${VM_DIR}/vmlinux: run ${resolve(REPO, 'test/vm/machine/setup.sh')} once`;

interface Enforcement {
  memory: { error?: string; parentSubtreeControl: string; exitSignal: string | null; events?: { oom_kill: number }; peak?: number; oomKilled: boolean };
  pids: { error?: string; started: number; failed: number; maxCurrent: number; peak?: number; eventsMax: number };
  cpu: { error?: string; wallUsec: number; usage_usec: number; nr_throttled?: number; ratio: number };
  io: { error?: string; skipped?: string; elapsedMs: number; exitCode: number | null };
  writeError: { error?: string; name: string; path: string; value: string; code: string; errno: number; leftBehind: boolean };
  totalMs: number;
}

/** Newest mtime under `dir`, to tell whether dist is older than src. */
function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newestMtime(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));
}

function assertBuilt(): void {
  const dist = join(PKG, 'dist/index.mjs');
  if (!existsSync(dist) || statSync(dist).mtimeMs < newestMtime(join(PKG, 'src'))) {
    throw new Error(`${dist} is missing or older than src/: run pnpm --filter @tincan/cgroups-v2 build (the VM script uses dist)`);
  }
}

/** Boot the VM once, run the enforcement script, return its JSON line and the wall time. */
function runEnforcement(): Promise<{ results: Enforcement; wallMs: number }> {
  const started = Date.now();
  const env = { ...process.env, VM_DISK_MB: '64', VM_TIMEOUT: '540' };
  const vm = spawn(RUN_IN_VM, ['node', 'packages/cgroups-v2/test/vm/enforcement.mjs'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  vm.stdout.on('data', (d: Buffer) => (output += d.toString()));
  vm.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolvePromise, reject) => {
    vm.once('error', reject);
    vm.once('close', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('{"enforcement":'));
      if (code !== 0 || line === undefined) return reject(new Error(`run-in-vm.sh exited ${code}; output:\n${output.slice(-4000)}`));
      resolvePromise({ results: (JSON.parse(line) as { enforcement: Enforcement }).enforcement, wallMs: Date.now() - started });
    });
  });
}

const describeVm = vmReady || process.env.CI ? describe : describe.skip;
if (!vmReady && !process.env.CI) console.warn(`VM enforcement tests skipped: ${notReady}`);

describeVm(`cgroup v2 enforcement in the VM${vmReady ? '' : ` (skipped: ${notReady})`}`, () => {
  let r: Enforcement;

  beforeAll(async () => {
    if (!vmReady) throw new Error(`CI must set up the cgroup-v2 VM: ${notReady}`);
    assertBuilt();
    const { results, wallMs } = await runEnforcement();
    r = results;
    console.log(`VM enforcement (${wallMs} ms wall incl. boot): ${JSON.stringify(results)}`);
  }, 600_000);

  it('memory.max 32M: a 200 MB allocation is OOM-killed by SIGKILL and oomKilled() says so', () => {
    expect(r.memory.error).toBeUndefined();
    expect(r.memory.exitSignal).toBe('SIGKILL');
    expect(r.memory.events?.oom_kill).toBeGreaterThanOrEqual(1);
    expect(r.memory.oomKilled).toBe(true);
    // only the controller the limits need was enabled for the cgroup
    expect(r.memory.parentSubtreeControl).toBe('memory');
  });

  it('pids.max 16: at most 16 of 100 forks succeed and pids.current never exceeds 16', () => {
    expect(r.pids.error).toBeUndefined();
    expect(r.pids.started).toBeGreaterThan(0);
    expect(r.pids.started).toBeLessThanOrEqual(16);
    expect(r.pids.failed).toBe(100 - r.pids.started);
    expect(r.pids.maxCurrent).toBeLessThanOrEqual(16);
    if (r.pids.peak !== undefined) expect(r.pids.peak).toBeLessThanOrEqual(16);
    expect(r.pids.eventsMax).toBeGreaterThan(0);
  });

  it('cpu.max 0.2 CPU: a busy loop is throttled and uses at most ~0.35 of the wall time', () => {
    expect(r.cpu.error).toBeUndefined();
    expect(r.cpu.nr_throttled).toBeGreaterThan(0);
    expect(r.cpu.usage_usec).toBeLessThanOrEqual(0.35 * r.cpu.wallUsec);
  });

  it('io.max wbps 1 MiB/s on /dev/vda: a 4 MiB O_DIRECT write takes at least ~2.5 s', () => {
    // the test gives the VM its disk (VM_DISK_MB) and the VM kernel has io: a skip here is a failure
    expect(r.io.skipped).toBeUndefined();
    expect(r.io.error).toBeUndefined();
    expect(r.io.exitCode).toBe(0);
    expect(r.io.elapsedMs).toBeGreaterThanOrEqual(2500);
  });

  it('a limit the kernel refuses: CgroupWriteError names the file, value and errno, and the cgroup is removed again', () => {
    // bitmap_parselist: ERANGE for a CPU beyond nr_cpu_ids (EINVAL on some kernels)
    expect(r.writeError).toMatchObject({ name: 'CgroupWriteError', value: '99', code: expect.stringMatching(/^E(RANGE|INVAL)$/), leftBehind: false });
    expect(r.writeError.errno).toBeGreaterThan(0);
    expect(r.writeError.path).toMatch(/\/refused\/cpuset\.cpus$/);
  });
});
