#!/usr/bin/env node
// Start→exit latency of /bin/true, side by side in one run, on the same busybox rootfs:
//   tincan CLI, tincan API (warm Node process), runc, crun (cgroup2 hidden: crun refuses hybrid
//   hosts), bwrap. Rounds interleave the designs; prints medians and ratios to runc.
// Usage: node bench/run.mjs [ROUNDS]   (root; needs runc, crun, bwrap: apt-get install runc crun bubblewrap)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const rounds = Number(process.argv[2] ?? 30);
const rootfs = join(repo, 'test/fixtures/out/rootfs');
const tincanBin = join(repo, 'apps/tincan/bin/tincan');
execFileSync('sh', [join(repo, 'test/fixtures/make-rootfs.sh')], { stdio: 'inherit' });

// An OCI bundle for runc/crun with the namespaces tincan creates by default (no user namespace).
const bundle = '/var/tmp/tincan-bench/bundle';
rmSync(bundle, { recursive: true, force: true });
mkdirSync(bundle, { recursive: true });
execFileSync('runc', ['spec', '--bundle', bundle]);
const specPath = join(bundle, 'config.json');
const spec = JSON.parse(execFileSync('cat', [specPath], { encoding: 'utf8' }));
spec.process.terminal = false;
spec.process.args = ['/bin/true'];
spec.root = { path: rootfs, readonly: false };
spec.linux.namespaces = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'].map((type) => ({ type }));
writeFileSync(specPath, JSON.stringify(spec));

const envWithout = (names) => Object.fromEntries(Object.entries(process.env).filter(([k]) => !names.includes(k)));
const plainEnv = envWithout(['NODE_EXTRA_CA_CERTS']);
const hasExtraCa = process.env.NODE_EXTRA_CA_CERTS !== undefined;

function timed(cmd, args, env = process.env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

let n = 0;
const designs = {
  'tincan run (CLI)': () => timed(process.execPath, [tincanBin, 'run', rootfs, '/bin/true'], plainEnv),
  ...(hasExtraCa ? { 'tincan run (CLI, NODE_EXTRA_CA_CERTS set)': () => timed(process.execPath, [tincanBin, 'run', rootfs, '/bin/true']) } : {}),
  // the floor of any Node CLI: Node starting and exiting, nothing else
  'node -e 0 (floor of a Node CLI)': () => timed(process.execPath, ['-e', '0'], plainEnv),
  'runc run': () => timed('runc', ['run', '--bundle', bundle, `bench-runc-${process.pid}-${n++}`]),
  // crun refuses hybrid cgroups: in a private mount namespace, hide cgroup2 (the measured wrapper cost is reported separately)
  'crun run (in unshare -m wrapper)': () => timed('unshare', ['-m', 'sh', '-c', `mount -t tmpfs none /sys/fs/cgroup/unified && exec crun --cgroup-manager=disabled run --bundle ${bundle} bench-crun-${process.pid}-${n++}`]),
  'unshare -m wrapper alone': () => timed('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /sys/fs/cgroup/unified && exec /bin/true']),
  'bwrap': () => timed('bwrap', ['--bind', rootfs, '/', '--proc', '/proc', '--dev', '/dev', '--unshare-all', '--die-with-parent', '/bin/true']),
};

const require = createRequire(import.meta.url);
const { createRuntime } = require(join(repo, 'apps/tincan/dist/index.js'));
const runtime = createRuntime();
async function apiRun() {
  const t0 = process.hrtime.bigint();
  const r = await runtime.run({ rootfs, command: ['/bin/true'], stdio: 'ignore' });
  if (r.code !== 0) throw new Error(`API run exited ${r.code}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const samples = Object.fromEntries([...Object.keys(designs), 'tincan API start→exit (warm)'].map((k) => [k, []]));
for (let i = 0; i < 3; i++) { for (const f of Object.values(designs)) f(); await apiRun(); } // warm-up
for (let i = 0; i < rounds; i++) {
  for (const [name, f] of Object.entries(designs)) samples[name].push(f());
  samples['tincan API start→exit (warm)'].push(await apiRun());
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const runc = median(samples['runc run']);
console.log(`\n/bin/true start→exit, ${rounds} interleaved rounds, median ms (ratio to runc); ${new Date().toISOString()}`);
for (const [name, xs] of Object.entries(samples)) {
  console.log(`  ${name.padEnd(44)} ${median(xs).toFixed(1).padStart(7)} ms   ${(median(xs) / runc).toFixed(2)}x`);
}
console.log('\nbars (issue 2): CLI <= 1.2x runc, API <= 0.5x runc');
