// Real cgroup v2 enforcement, run inside the VM of test/vm/machine through the BUILT package (dist):
//   VM_DISK_MB=64 test/vm/machine/run-in-vm.sh node packages/cgroups-v2/test/vm/enforcement.mjs
// Prints one JSON line {"enforcement": {...}}; test/vm.test.ts asserts the figures.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Cgroup, detectCgroupV2 } from '../../dist/index.mjs';

const MiB = 1024 * 1024;
const PARENT = 'tincan-vm-enforcement';
const host = detectCgroupV2();

/** Start `argv` held at a `read` gate, move it into `cg`, then let it go: it runs nothing of its own outside. */
async function runInCgroup(cg, argv) {
  const child = spawn('sh', ['-c', 'read _ && exec "$@"', 'sh', ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = once(child, 'exit');
  await once(child, 'spawn');
  cg.addProcess(child.pid);
  const started = performance.now();
  child.stdin.end('\n');
  const done = exited.then(([code, signal]) => ({ code, signal, output: output.trim(), ms: Math.round(performance.now() - started) }));
  return { started, done };
}

/** Run one check in a fresh cgroup with `limits`; an exception becomes { error } so the others still run. */
async function scenario(name, limits, body) {
  let cg;
  try {
    cg = await Cgroup.create(name, { parent: PARENT, limits, host });
    return await body(cg);
  } catch (err) {
    return { error: String(err && err.stack ? err.stack : err) };
  } finally {
    await cg?.remove();
  }
}

// (a) memory.max 32M: a 200 MB dd buffer is OOM-killed
function memoryCheck() {
  return scenario('memory', { memory: { max: 32 * MiB, swapMax: 0 } }, async (cg) => {
    const run = await runInCgroup(cg, ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=200M', 'count=1']);
    const exit = await run.done;
    const stats = cg.stats();
    const parentSubtreeControl = readFileSync(join(cg.path, '..', 'cgroup.subtree_control'), 'utf8').trim();
    return { limit: 32 * MiB, parentSubtreeControl, exitSignal: exit.signal, exitCode: exit.code, events: stats.memory?.events, peak: stats.memory?.peak, oomKilled: cg.oomKilled() };
  });
}

const FORK_LOOP = `$| = 1; my ($ok, $fail) = (0, 0);
for (1 .. 100) { my $pid = fork(); if (!defined $pid) { $fail++; next } if ($pid == 0) { exec('sleep', '5'); exit 127 } $ok++ }
print "$ok $fail\\n";`;

// (b) pids.max 16: of 100 forks of `sleep 5`, at most 16 pids exist at once
function pidsCheck() {
  return scenario('pids', { pids: { max: 16 } }, async (cg) => {
    let maxCurrent = 0;
    const sample = () => (maxCurrent = Math.max(maxCurrent, cg.stats().pids?.current ?? 0));
    const timer = setInterval(sample, 5);
    const run = await runInCgroup(cg, ['perl', '-e', FORK_LOOP]);
    const exit = await run.done;
    clearInterval(timer);
    sample();
    const [started, failed] = exit.output.split(/\s+/).map(Number);
    const peakFile = join(cg.path, 'pids.peak');
    const peak = existsSync(peakFile) ? Number(readFileSync(peakFile, 'utf8')) : undefined;
    const eventsMax = Number(/^max (\d+)/m.exec(readFileSync(join(cg.path, 'pids.events'), 'utf8'))?.[1]);
    return { limit: 16, attempted: 100, started, failed, maxCurrent, peak, eventsMax, exitCode: exit.code };
  });
}

// (c) cpu.max 20000/100000: a busy loop gets about 0.2 CPU and is throttled
function cpuCheck() {
  return scenario('cpu', { cpu: { max: { quota: 20_000, period: 100_000 } } }, async (cg) => {
    const run = await runInCgroup(cg, ['sh', '-c', 'while :; do :; done']);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const stats = cg.stats();
    const wallUsec = Math.round((performance.now() - run.started) * 1000);
    await cg.kill();
    const { usage_usec, nr_throttled, throttled_usec } = stats.cpu;
    return { quota: 20_000, period: 100_000, wallUsec, usage_usec, nr_throttled, throttled_usec, ratio: usage_usec / wallUsec, exitSignal: (await run.done).signal };
  });
}

// (d) io.max wbps 1 MiB/s on the scratch disk: a 4 MiB O_DIRECT write takes about 4 s
function ioCheck() {
  if (!host.controllers.includes('io')) return { skipped: `no io controller at ${host.mountpoint} (it has: ${host.controllers.join(' ')})` };
  if (!existsSync('/sys/block/vda/dev')) return { skipped: 'no /dev/vda scratch disk (run-in-vm.sh needs VM_DISK_MB)' };
  const [major, minor] = readFileSync('/sys/block/vda/dev', 'utf8').trim().split(':').map(Number);
  return scenario('io', { io: { max: [{ major, minor, wbps: MiB }] } }, async (cg) => {
    const run = await runInCgroup(cg, ['dd', 'if=/dev/zero', 'of=/dev/vda', 'bs=1M', 'count=4', 'oflag=direct']);
    const exit = await run.done;
    return { device: `${major}:${minor}`, wbps: MiB, bytes: 4 * MiB, elapsedMs: exit.ms, exitCode: exit.code, ioMax: readFileSync(join(cg.path, 'io.max'), 'utf8').trim() };
  });
}

// (e) a limit the kernel refuses (no CPU 99 here): the error names file, value and errno; nothing is left behind
async function writeErrorCheck() {
  try {
    await Cgroup.create('refused', { parent: PARENT, limits: { cpuset: { cpus: '99' } }, host });
    return { error: 'cpuset.cpus 99 was accepted' };
  } catch (err) {
    const leftBehind = existsSync(join(host.mountpoint ?? '', PARENT, 'refused'));
    return { name: err.name, path: err.path, value: err.value, code: err.code, errno: err.errno, message: err.message, leftBehind };
  }
}

const t0 = performance.now();
const results = {
  kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
  host,
  memory: await memoryCheck(),
  pids: await pidsCheck(),
  cpu: await cpuCheck(),
  io: await ioCheck(),
  writeError: await writeErrorCheck(),
};
if (existsSync(join(host.mountpoint ?? '', PARENT))) await Cgroup.open(join(host.mountpoint ?? '', PARENT)).remove();
console.log(JSON.stringify({ enforcement: { ...results, totalMs: Math.round(performance.now() - t0) } }));
