#!/usr/bin/env node
// The long fuzz run: the same properties as the package tests' short fixed-seed run, many more cases and
// a fresh seed (printed; FUZZ_SEED=N replays it). Usage, as root after `bash setup.sh`:
//   node fuzz/run.mjs [RUNS]        (default 5000 per image suite, RUNS/20 CLI invocations)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(new URL('.', import.meta.url).pathname, '..');
const runs = Number(process.argv[2] ?? 5000);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** What is fuzzed, where its jest suite lives, and how many cases it gets. */
const SUITES = [
  { what: 'tar parser + applier', dir: 'packages/layer', args: ['test/fuzz-layer.test.ts'], runs },
  { what: 'OCI JSON readers', dir: 'packages/image', args: ['test/fuzz-documents.test.ts'], runs },
  { what: 'seccomp profile loader + compiler', dir: 'packages/seccomp-bpf', args: ['test/fuzz-profile.test.ts'], runs },
  { what: 'run flags', dir: 'apps/tincan', args: ['test/fuzz-flags.test.ts'], runs },
  { what: 'CLI image commands', dir: 'test', args: ['e2e/bad-input.test.ts', '-t', 'fuzzing'], runs: Math.max(1, Math.round(runs / 20)) },
];

console.log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
let failed = 0;
for (const s of SUITES) {
  const env = { ...process.env, FUZZ_SEED: String(seed), FUZZ_RUNS: String(s.runs), FUZZ_TIMEOUT_MS: String(6 * 3600_000) };
  const start = Date.now();
  const jest = ['exec', 'jest', ...s.args, '--testTimeout', String(6 * 3600_000)];
  const r = spawnSync('pnpm', jest, { cwd: join(REPO, s.dir), env, stdio: ['ignore', 'inherit', 'inherit'] });
  const seconds = ((Date.now() - start) / 1000).toFixed(0);
  console.log(`${s.what}: ${s.runs} cases, ${seconds} s, ${r.status === 0 ? 'nothing found' : 'FAILED (see above)'}`);
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
