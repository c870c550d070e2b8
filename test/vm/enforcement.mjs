// Runs INSIDE the cgroup-v2 VM (test/vm/machine/run-in-vm.sh): real containers through tincan's API and
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

// The container's cgroup files, read at cleanup just before the cgroups plugin removes the cgroup:
// a plugin placed after it in the runtime cleans up before it.
const finalStats = new Map();
const statsPlugin = {
  name: 'final-cgroup-stats',
  cleanup(ctx) {
    const read = (f) => readFileSync(join(ctx.program.cgroupPath, f), 'utf8');
    finalStats.set(ctx.id, { peak: Number(read('pids.peak')), events: read('pids.events'), cpu: read('cpu.stat') });
  },
};
const measured = createRuntime().use(statsPlugin, { after: 'cgroups' });
const field = (text, name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);

// pids.max: 40 long-lived forks (a loop of shell builtins) in a 16-pid container; the first refused
// fork ends the loop (fatal to a non-interactive busybox sh), and PID 1's exit takes the rest along
const bomb = await measured.start({ rootfs, command: ['sh', '-c', 'i=0; while [ $i -lt 40 ]; do sleep 60 & i=$((i+1)); done 2>/dev/null'], stdio: 'ignore', resources: { pids: { max: 16 } } });
await bomb.wait();
const bombStats = finalStats.get(bomb.id);
out.pids = { maxCurrent: bombStats.peak, refusedForks: field(bombStats.events, 'max') };

// cpu.max 0.2 CPU: a 2 s busy loop is throttled
const t0 = Date.now();
const cpu = await measured.start({ rootfs, command: ['sh', '-c', 'end=$(($(date +%s)+2)); while [ $(date +%s) -lt $end ]; do :; done'], stdio: 'ignore', resources: { cpu: { max: { quota: 20000, period: 100000 } } } });
await cpu.wait();
const cpuStat = finalStats.get(cpu.id).cpu;
out.cpu = { wallMs: Date.now() - t0, usageUsec: field(cpuStat, 'usage_usec'), nrThrottled: field(cpuStat, 'nr_throttled') };
out.leftovers = existsSync('/sys/fs/cgroup/tincan') ? spawnSync('ls', ['/sys/fs/cgroup/tincan'], { encoding: 'utf8' }).stdout.split('\n').filter((n) => n.startsWith('tincan-')) : [];
console.log(`RESULT ${JSON.stringify(out)}`);
