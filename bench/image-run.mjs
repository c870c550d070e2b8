#!/usr/bin/env node
// What starting from a cached image costs over starting from a plain directory: `/bin/true`
// start→exit, through the CLI (a new Node process each time) and through the API (one warm process),
// on the same busybox rootfs — as a directory, and as the single layer of an image in a bench data dir.
// Rounds interleave the four runs; prints medians and the image − directory difference (bar: ≤ 20 ms).
// Usage: node bench/image-run.mjs [ROUNDS]   (root; build first: pnpm build). See bench/image-run.md.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const rounds = Number(process.argv[2] ?? 30);
const BAR_MS = 20;
const rootfs = join(repo, 'test/fixtures/out/rootfs');
const rootfsTar = join(repo, 'test/fixtures/out/rootfs.tar.gz');
const tincanBin = join(repo, 'apps/tincan/bin/tincan');
const benchDir = '/var/tmp/tincan-bench/image-run';
const dataDir = join(benchDir, 'data');
const layout = join(benchDir, 'layout');
const IMAGE = 'bench/busybox:1';
execFileSync('sh', [join(repo, 'test/fixtures/make-rootfs.sh')], { stdio: 'inherit' });

const sha256 = (bytes) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** An OCI layout whose only layer is the fixture's rootfs.tar.gz, the tarball of the same busybox rootfs. */
function writeLayout() {
  rmSync(layout, { recursive: true, force: true });
  mkdirSync(join(layout, 'blobs/sha256'), { recursive: true });
  const put = (mediaType, bytes) => {
    const digest = sha256(bytes);
    writeFileSync(join(layout, 'blobs/sha256', digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.length };
  };
  const gz = readFileSync(rootfsTar);
  const layer = put('application/vnd.oci.image.layer.v1.tar+gzip', gz);
  const architecture = process.arch === 'x64' ? 'amd64' : process.arch;
  const config = put('application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify({ architecture, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(gunzipSync(gz))] } })));
  const manifest = put('application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer] })));
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }] }));
}

const envWithout = (names) => Object.fromEntries(Object.entries(process.env).filter(([k]) => !names.includes(k)));
const plainEnv = envWithout(['NODE_EXTRA_CA_CERTS']);

function cli(args) {
  const r = spawnSync(process.execPath, [tincanBin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: plainEnv });
  if (r.status !== 0) throw new Error(`tincan ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

// imported before the rounds (again on every bench run, so the name follows a rebuilt fixture; a stored
// image's blobs and layer are not copied or unpacked again)
writeLayout();
cli(['import', '--quiet', '--data-dir', dataDir, `oci:${layout}:bench`, IMAGE]);

function timedCli(source) {
  const t0 = process.hrtime.bigint();
  cli(['run', '--data-dir', dataDir, source, '/bin/true']);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const require = createRequire(import.meta.url);
const { createRuntime } = require(join(repo, 'apps/tincan/dist/index.js'));
const runtime = createRuntime();
async function timedApi(source) {
  const t0 = process.hrtime.bigint();
  const r = await runtime.run({ rootfs: source, command: ['/bin/true'], stdio: 'ignore', dataDir });
  if (r.code !== 0) throw new Error(`API run of ${source} exited ${r.code}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

// [how, rootfs kind, run]: the rounds run them in this order
const designs = [
  ['CLI', 'directory', () => timedCli(rootfs)],
  ['CLI', 'cached image', () => timedCli(IMAGE)],
  ['API (warm)', 'directory', () => timedApi(rootfs)],
  ['API (warm)', 'cached image', () => timedApi(IMAGE)],
];
const samples = new Map(designs.map(([how, kind]) => [`${how} ${kind}`, []]));
for (let i = 0; i < 3; i++) for (const [, , f] of designs) await f(); // warm-up
for (let i = 0; i < rounds; i++) for (const [how, kind, f] of designs) samples.get(`${how} ${kind}`).push(await f());

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(`\n/bin/true start→exit, ${rounds} interleaved rounds, median (min–max); ${new Date().toISOString()}`);
for (const [name, xs] of samples) console.log(`  ${name.padEnd(26)} ${median(xs).toFixed(1).padStart(6)} ms   (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`);
console.log('');
let missed = false;
for (const how of ['CLI', 'API (warm)']) {
  const diff = median(samples.get(`${how} cached image`)) - median(samples.get(`${how} directory`));
  missed ||= diff > BAR_MS;
  console.log(`  ${how.padEnd(10)} cached image − directory = ${diff.toFixed(1).padStart(5)} ms   (bar ≤ ${BAR_MS} ms: ${diff <= BAR_MS ? 'met' : 'MISSED'})`);
}
process.exitCode = missed ? 1 : 0;
