// Runs INSIDE the cgroup-v2 VM (../shared/vm/run-in-vm.sh): real containers through tincan's API and
// CLI with memory, pids and cpu limits. Prints one JSON line; test/vm/cgroups.test.ts asserts on it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rootfs = join(repo, 'test/fixtures/out/rootfs');
const { createRuntime } = createRequire(import.meta.url)(join(repo, 'apps/tincan/dist/index.js'));
const runtime = createRuntime();
const out = { host: readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim() };

// memory.max: a 200 MB allocation in a 32 MB container is OOM-killed, and reported as such
const mem = await runtime.run({ rootfs, command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=200M', 'count=1'], stdio: 'ignore', resources: { memory: { max: 32n << 20n, swapMax: 0 } } });
out.memory = { code: mem.code, signal: mem.signal, oomKilled: mem.oomKilled };

// the CLI says so too
const cli = spawnSync(process.execPath, [join(repo, 'apps/tincan/bin/tincan'), 'run', '--memory', '32m', '--memory-swap', '32m', rootfs, 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=200M', 'count=1'], { encoding: 'utf8' });
out.cli = { code: cli.status, oomMessage: /OOM killer/.test(cli.stderr) };

// pids.max: 40 long-lived forks (a loop of shell builtins) in a 16-pid container; when the loop ends,
// PID 1 exits and takes the rest along. Watched from outside: the bomb leaves no pid to report with.
const bomb = await runtime.start({ rootfs, command: ['sh', '-c', 'i=0; while [ $i -lt 40 ]; do sleep 60 & i=$((i+1)); done 2>/dev/null'], stdio: 'ignore', resources: { pids: { max: 16 } } });
const bombDir = `/sys/fs/cgroup/tincan/tincan-${bomb.id}`;
let maxCurrent = NaN;
let events = '';
while (existsSync(bombDir)) {
  try {
    // pids.peak is the kernel's own high-water mark; polling pids.current could miss it
    maxCurrent = Number(readFileSync(join(bombDir, 'pids.peak'), 'utf8'));
    events = readFileSync(join(bombDir, 'pids.events'), 'utf8');
  } catch { break; }
  await new Promise((r) => setTimeout(r, 100));
}
await bomb.wait();
out.pids = { maxCurrent, refusedForks: Number(/^max (\d+)/m.exec(events)?.[1] ?? NaN) };

// cpu.max 0.2 CPU: a 2 s busy loop is throttled; read the container's cpu.stat from outside while it runs
const cpu = await runtime.start({ rootfs, command: ['sh', '-c', 'end=$(($(date +%s)+2)); while [ $(date +%s) -lt $end ]; do :; done'], stdio: 'ignore', resources: { cpu: { max: { quota: 20000, period: 100000 } } } });
const cgroupDir = `/sys/fs/cgroup/tincan/tincan-${cpu.id}`;
const t0 = Date.now();
let stat = '';
while (existsSync(cgroupDir)) {
  try { stat = readFileSync(join(cgroupDir, 'cpu.stat'), 'utf8'); } catch { break; }
  await new Promise((r) => setTimeout(r, 200));
}
await cpu.wait();
const field = (name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(stat)?.[1] ?? NaN);
out.cpu = { wallMs: Date.now() - t0, usageUsec: field('usage_usec'), nrThrottled: field('nr_throttled') };
out.leftovers = existsSync('/sys/fs/cgroup/tincan') ? spawnSync('ls', ['/sys/fs/cgroup/tincan'], { encoding: 'utf8' }).stdout.split('\n').filter((n) => n.startsWith('tincan-')) : [];
console.log(`RESULT ${JSON.stringify(out)}`);
