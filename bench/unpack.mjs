#!/usr/bin/env node
// Unpack benchmark: GNU tar vs umoci vs tincan's layer engine on one synthetic 3-layer gzip image.
// Usage: pnpm --filter @tincan/image... build && node bench/unpack.mjs [--rounds N]
// See bench/unpack.md for what it measures and the figures measured here.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { applyLayers, extractLayers } from '../packages/image/dist/index.mjs';
// deterministic (mulberry32): the same tree on every machine, only file bytes differ
import { prng } from '../packages/testkit/dist/index.mjs';

const ROOT = '/var/tmp/tincan-bench';
const IMAGE = join(ROOT, 'image-v1'); // bump the suffix when the generator changes
const RUNS = join(ROOT, 'runs');
const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;


const TEXT = Buffer.from('the quick brown fox jumps over the lazy dog; lorem ipsum dolor sit amet, tincan layer bench\n'.repeat(200));
/** Half random, half text: gzip shrinks it about 2x, like binaries and libraries do. */
function content(size) {
  const out = Buffer.allocUnsafe(size);
  for (let off = 0; off < size; off += 8192) {
    const n = Math.min(8192, size - off);
    if ((off / 8192) % 2 === 0) randomBytes(n).copy(out, off);
    else TEXT.copy(out, off, 0, n);
  }
  return out;
}

function fileSize(r) {
  const x = r();
  if (x < 0.75) return 100 + Math.floor(r() * 6000);
  if (x < 0.98) return 8192 + Math.floor(r() * 32768);
  return 100_000 + Math.floor(r() * 300_000);
}

const DIRS = [];
for (let i = 0; i < 20; i++) for (let j = 0; j < 15; j++) DIRS.push(`d${i}/s${j}`);

/** Layer 1: the base (12k files, symlinks, hard links). Returns the file list for later layers. */
function genLayer1(dir) {
  const r = prng(1);
  const files = [];
  for (const d of DIRS) mkdirSync(join(dir, d), { recursive: true });
  for (let i = 0; i < 12_000; i++) {
    const p = `${DIRS[Math.floor(r() * DIRS.length)]}/f${i}`;
    writeFileSync(join(dir, p), content(fileSize(r)));
    files.push(p);
  }
  for (let i = 0; i < 600; i++) symlinkSync(i % 2 ? `/${files[i * 7]}` : `../../${files[i * 7]}`, join(dir, DIRS[i % DIRS.length], `l${i}`));
  for (let i = 0; i < 200; i++) linkSync(join(dir, files[i * 11 + 1]), join(dir, DIRS[(i * 3) % DIRS.length], `h${i}`));
  return files;
}

/** Layers 2 and 3: replace some files, delete others (whiteouts, a few whole dirs, opaque dirs), add new ones. */
function genUpper(dir, files, seed, { added, replaced, deleted, dirWhiteouts, opaque }) {
  const r = prng(seed);
  for (const d of DIRS) mkdirSync(join(dir, d), { recursive: true });
  for (let i = 0; i < added; i++) writeFileSync(join(dir, DIRS[Math.floor(r() * DIRS.length)], `n${seed}-${i}`), content(fileSize(r)));
  const pick = () => files[Math.floor(r() * files.length)];
  for (let i = 0; i < replaced; i++) writeFileSync(join(dir, pick()), content(fileSize(r)));
  for (let i = 0; i < deleted; i++) {
    const p = pick();
    const slash = p.lastIndexOf('/');
    if (!existsSync(join(dir, p))) writeFileSync(join(dir, p.slice(0, slash), `.wh.${p.slice(slash + 1)}`), '');
  }
  for (let i = 0; i < dirWhiteouts; i++) writeFileSync(join(dir, `d${(seed * 7 + i) % 20}`, `.wh.s${(seed + i * 5) % 15}`), '');
  for (let i = 0; i < opaque; i++) writeFileSync(join(dir, `d${(seed * 3 + i) % 20}`, `s${(seed * 11 + i) % 15}`, '.wh..wh..opq'), '');
}

function sh(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${res.stderr}`);
  return res.stdout;
}

async function diffId(path) {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), createGunzip(), async (src) => {
    for await (const c of src) h.update(c);
  });
  return `sha256:${h.digest('hex')}`;
}

function blob(layout, buf) {
  const d = createHash('sha256').update(buf).digest('hex');
  writeFileSync(join(layout, 'blobs/sha256', d), buf);
  return { digest: `sha256:${d}`, size: buf.length };
}

/** An OCI image layout holding the three layers, for umoci. */
async function buildLayout(layers, layout) {
  mkdirSync(join(layout, 'blobs/sha256'), { recursive: true });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const descs = [];
  for (const l of layers) {
    const d = createHash('sha256').update(readFileSync(l)).digest('hex');
    copyFileSync(l, join(layout, 'blobs/sha256', d));
    descs.push({ mediaType: GZIP, digest: `sha256:${d}`, size: statSync(l).size });
  }
  const config = blob(layout, Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', config: {},
    rootfs: { type: 'layers', diff_ids: await Promise.all(layers.map(diffId)) },
  })));
  const manifest = blob(layout, Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config }, layers: descs,
  })));
  writeFileSync(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }],
  }));
}

async function ensureImage() {
  const layers = [1, 2, 3].map((i) => join(IMAGE, `layer${i}.tar.gz`));
  if (existsSync(join(IMAGE, 'layout/index.json'))) return layers;
  console.log(`generating the image under ${IMAGE} (once)…`);
  rmSync(IMAGE, { recursive: true, force: true });
  const src = join(IMAGE, 'src');
  const dirs = [1, 2, 3].map((i) => join(src, `l${i}`));
  dirs.forEach((d) => mkdirSync(d, { recursive: true }));
  const files = genLayer1(dirs[0]);
  genUpper(dirs[1], files, 2, { added: 2_300, replaced: 500, deleted: 560, dirWhiteouts: 6, opaque: 2 });
  genUpper(dirs[2], files, 3, { added: 900, replaced: 300, deleted: 420, dirWhiteouts: 4, opaque: 1 });
  dirs.forEach((d, i) => sh('tar', ['--sort=name', '--numeric-owner', '-C', d, '-czf', layers[i], '.']));
  rmSync(src, { recursive: true, force: true });
  writeFileSync(CLEANED, String(Date.now()));
  await buildLayout(layers, join(IMAGE, 'layout'));
  return layers;
}

function layerStats(layers) {
  let entries = 0;
  let whiteouts = 0;
  let bytes = 0;
  for (const l of layers) {
    const list = sh('tar', ['-tvzf', l], { maxBuffer: 1 << 28 }).split('\n').filter(Boolean);
    entries += list.length;
    whiteouts += list.filter((x) => /\/\.wh\.[^/]*$/.test(x)).length;
    bytes += list.reduce((n, x) => n + Number(x.split(/\s+/)[2] || 0), 0);
  }
  return { entries, whiteouts, bytes };
}

const CLEANED = join(ROOT, 'last-cleanup');
/** How long ext4 without a journal keeps skipping freshly deleted inodes (RECENTCY_MIN + RECENTCY_DIRTY). */
const EXT4_RECENTCY_MS = 360_000;

/**
 * On an ext4 without a journal (this VM's disk), inode allocation skips inodes deleted in the last
 * 60-360 s, reading their inode table blocks one by one (recently_deleted() in fs/ext4/ialloc.c):
 * creating 18k files right after deleting 18k costs 5-10x more for every tool. So no run deletes
 * anything before the others are done, and a bench started soon after the previous one says so.
 */
function warnRecentDeletes() {
  const last = existsSync(CLEANED) ? Number(readFileSync(CLEANED, 'utf8')) : 0;
  const age = Date.now() - last;
  if (age < EXT4_RECENTCY_MS) console.log(`warning: the previous bench deleted its outputs ${(age / 1000).toFixed(0)} s ago; on ext4 without a journal, wait ${((EXT4_RECENTCY_MS - age) / 1000).toFixed(0)} s more for clean figures`);
}

let coldCache = true;
/** Flush dirty pages, then drop the page cache if the kernel lets us (else: warm-cache figures). */
function settle() {
  sh('sync', []);
  if (!coldCache) return;
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  } catch {
    coldCache = false;
  }
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const RUNNERS = {
  'tar -xzf': async (layers, out) => {
    mkdirSync(out);
    for (const l of layers) sh('tar', ['-xzf', l, '-C', out]);
  },
  'umoci unpack': async (_layers, out) => {
    sh('umoci', ['unpack', '--image', `${join(IMAGE, 'layout')}:bench`, out]);
  },
  'tincan extractLayers': async (layers, out) => {
    await extractLayers(layers.map((input) => ({ input, mediaType: GZIP })), out);
  },
  'tincan applyLayers (overlay, parallel)': async (layers, out) => {
    await applyLayers(layers.map((input, i) => ({ input, mediaType: GZIP, dest: join(out, `l${i}`) })));
  },
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const layers = await ensureImage();
  const st = layerStats(layers);
  const gz = layers.reduce((n, l) => n + statSync(l).size, 0);
  console.log(`image: 3 gzip layers, ${(gz / 1e6).toFixed(0)} MB compressed, ${(st.bytes / 1e6).toFixed(0)} MB of file data, ${st.entries} entries, ${st.whiteouts} whiteouts`);
  warnRecentDeletes();
  const times = Object.fromEntries(Object.keys(RUNNERS).map((k) => [k, []]));
  rmSync(RUNS, { recursive: true, force: true });
  mkdirSync(RUNS, { recursive: true });
  for (let round = 1; round <= rounds; round++) {
    for (const [name, run] of Object.entries(RUNNERS)) {
      // outputs are kept until the end: see warnRecentDeletes
      const out = join(RUNS, `${round}-${name.replace(/[^a-z]+/gi, '-')}`);
      settle();
      const s = await timed(() => run(layers, out));
      times[name].push(s);
      console.log(`round ${round}  ${name.padEnd(40)} ${s.toFixed(2)} s`);
    }
  }
  rmSync(RUNS, { recursive: true, force: true });
  writeFileSync(CLEANED, String(Date.now()));
  console.log(`\n${coldCache ? 'cold page cache (dropped before every run)' : 'warm page cache (drop_caches not permitted)'}, ${rounds} rounds, medians:`);
  const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  for (const [k, v] of Object.entries(med)) console.log(`  ${k.padEnd(40)} ${v.toFixed(2)} s`);
  for (const k of ['tincan extractLayers', 'tincan applyLayers (overlay, parallel)']) {
    console.log(`  ${k}: ${(med[k] / med['tar -xzf']).toFixed(2)}x tar, ${(med[k] / med['umoci unpack']).toFixed(2)}x umoci`);
  }
}

await main();
