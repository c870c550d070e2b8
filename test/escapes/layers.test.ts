// The escape classes across cgroups on/off and userns host/auto, on this host (hybrid cgroups: the
// device program attaches to the cgroup2 tree here too). The same script runs in the cgroup-v2 VM in
// test/vm/escapes.test.ts. A loop device backed by a temp file stands in for a host disk.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../e2e/helpers';
import { expectLayeredDefences, type LayersResult } from './layers-expect';

let result: LayersResult;
let loop = '';
const dir = mkdtempSync('/tmp/tincan-layers-disk-');

beforeAll(() => {
  const backing = join(dir, 'disk.img');
  writeFileSync(backing, Buffer.alloc(1 << 20));
  loop = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
  const r = spawnSync(process.execPath, [join(REPO, 'test/escapes/layers.mjs'), loop], { encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`layers.mjs failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  result = JSON.parse(line.slice(7)) as LayersResult;
  // the script wrote its marker at the start of the disk; nothing from inside may have changed it
  expect(readFileSync(loop).subarray(0, 6).toString()).toBe('layers');
}, 130_000);

afterAll(() => {
  if (loop) spawnSync('losetup', ['-d', loop]);
  rmSync(dir, { recursive: true, force: true });
});

describe('escape classes across cgroups on/off and userns host/auto (this host)', () => {
  expectLayeredDefences(() => result);
});
