#!/usr/bin/env node
// Small hostile inputs that ask for much work: how long tincan takes to apply (or refuse) each.
// Usage: pnpm --filter @tincan/image build && node bench/hostile-inputs.mjs [--dist DIR] [--only NAME,...]
// --dist: another build of packages/image (e.g. an older commit's) to compare. See bench/hostile-inputs.md.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const dist = resolve(arg('--dist') ?? new URL('../packages/image/dist', import.meta.url).pathname);
const { applyLayer, ImageStore } = await import(join(dist, 'index.mjs'));

function octal(b, off, len, v) {
  b.write(`${v.toString(8).padStart(len - 1, '0')}\0`, off, len, 'latin1');
}

/** One ustar header block (no data) with a valid checksum. */
function header(name, flag, linkname = '') {
  const b = Buffer.alloc(512);
  b.write(name, 0, 100);
  octal(b, 100, 8, flag === '5' ? 0o755 : 0o644);
  octal(b, 108, 8, 0);
  octal(b, 116, 8, 0);
  octal(b, 124, 12, 0);
  octal(b, 136, 12, 1_700_000_000);
  b.write(flag, 156, 1, 'latin1');
  b.write(linkname, 157, 100);
  b.write('ustar\0', 257, 6, 'latin1');
  b.write('00', 263, 2, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const v of b) sum += v;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

const tarOf = (headers) => Buffer.concat([...headers, Buffer.alloc(1024)]);
const times = (n, f) => Array.from({ length: n }, (_, i) => f(i));

/** name → the gzipped input and how tincan is given it. */
const CASES = {
  'same-name-100k (layer, overlay)': { layer: () => times(100_000, () => header('a', '0')), mode: 'overlay' },
  'same-name-100k (layer, extract)': { layer: () => times(100_000, () => header('a', '0')), mode: 'extract' },
  'symlink-retarget-50k (layer, extract)': { layer: () => times(50_000, (i) => header('s', '2', `t${i}`)), mode: 'extract' },
  'symlink-retarget-then-write-50k (layer, extract)': {
    layer: () => times(50_000, (i) => [header('s', '2', `t${i}`), header('s/f', '0')]).flat(),
    mode: 'extract',
  },
  'same-name-100k (oci-archive import)': { archive: () => times(100_000, () => header('index.json', '0')) },
};

const only = arg('--only')?.split(',');
for (const [name, c] of Object.entries(CASES)) {
  if (only && !only.some((o) => name.startsWith(o))) continue;
  const work = mkdtempSync(join(tmpdir(), 'tincan-hostile-'));
  try {
    const gz = gzipSync(tarOf((c.layer ?? c.archive)()));
    const file = join(work, 'input.tar.gz');
    writeFileSync(file, gz);
    const start = performance.now();
    let outcome = 'applied';
    try {
      if (c.layer) await applyLayer(file, join(work, 'dest'), { mode: c.mode });
      else await new ImageStore({ root: join(work, 'store') }).import(`oci-archive:${file}`);
    } catch (e) {
      outcome = `refused: ${String(e.message).slice(0, 90)}`;
    }
    const ms = (performance.now() - start).toFixed(0);
    console.log(`${name.padEnd(50)} ${String(gz.length).padStart(7)} B gz  ${ms.padStart(7)} ms  ${outcome}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
