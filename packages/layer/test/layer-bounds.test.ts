/**
 * Layers whose work or whose messages would grow without bound: deep trees (iterative walks, bounded
 * fds), the depth and implicit-directory limits, and malformed headers, each refused with a one-line
 * LayerError that names the entry.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer, LayerError, type ApplyMode, type LayerLimits } from '../src';
import { tar, type TestEntry } from './fixtures/tar-builder';

const work = mkdtempSync(join(tmpdir(), 'tincan-layer-bounds-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let seq = 0;
async function apply(layers: (TestEntry[] | Buffer)[], opts: { mode?: ApplyMode; limits?: LayerLimits } = {}): Promise<string> {
  const dest = join(work, String(seq++));
  mkdirSync(dest);
  for (const l of layers) {
    await applyLayer(Readable.from([Buffer.isBuffer(l) ? l : tar(l)]), dest, { mode: opts.mode ?? 'extract', limits: opts.limits, layer: 'l.tar' });
  }
  return dest;
}

async function refusal(layers: (TestEntry[] | Buffer)[], opts: { mode?: ApplyMode; limits?: LayerLimits } = {}): Promise<string> {
  const error = await apply(layers, opts).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(LayerError);
  const message = (error as Error).message;
  expect(message).not.toMatch(/[\n\r\u0000-\u001f]/);
  return message;
}

/** `a/`, `a/a/`, … : a chain of directories `levels` deep. */
function chain(levels: number): TestEntry[] {
  return Array.from({ length: levels }, (_, i) => ({ name: `${'a/'.repeat(i + 1)}`, type: 'dir' as const }));
}

describe('deep trees', () => {
  // 2047 levels is as deep as a 4096-byte name goes; the recursive walk overflowed the stack here
  it.each(['extract', 'overlay'] as const)('%s: a 2047-level tree replaced by a later file entry applies', async (mode) => {
    const dest = await apply([[...chain(2047), { name: 'a/a/f', data: 'x' }, { name: 'a', data: 'now a file' }]], { mode });
    expect(readFileSync(join(dest, 'a'), 'utf8')).toBe('now a file');
  });

  it('a whiteout and an opaque marker remove a 2047-level tree of a lower layer', async () => {
    const dest = await apply([[...chain(2047), { name: 'b/', type: 'dir' }, ...chain(40).map((e) => ({ ...e, name: `b/${e.name}` }))], [{ name: '.wh.a' }, { name: 'b/.wh..wh..opq' }]]);
    expect(existsSync(join(dest, 'a'))).toBe(false);
    expect(lstatSync(join(dest, 'b')).isDirectory()).toBe(true);
    expect(existsSync(join(dest, 'b', 'a'))).toBe(false);
  });

  it('a second opaque marker for a directory keeps what the layer wrote after the first', async () => {
    const lower: TestEntry[] = [{ name: 'd/', type: 'dir' }, { name: 'd/old', data: 'lower' }];
    const upper: TestEntry[] = [{ name: 'd/.wh..wh..opq' }, { name: 'd/new/deep/file', data: 'new' }, { name: 'd/.wh..wh..opq' }];
    const dest = await apply([lower, upper]);
    expect(existsSync(join(dest, 'd', 'old'))).toBe(false);
    expect(readFileSync(join(dest, 'd', 'new', 'deep', 'file'), 'utf8')).toBe('new');
  });

  it('an entry nested deeper than maxDepth is refused naming it', async () => {
    expect(await refusal([[{ name: 'a/b/c/d/e/f/g/h/i', data: 'x' }]], { limits: { maxDepth: 8 } })).toBe(
      'layer l.tar: entry "a/b/c/d/e/f/g/h/i": path nests deeper than 8 directories',
    );
  });

  it('a dangling symlink cannot make one entry create directories deeper than maxDepth', async () => {
    const layer: TestEntry[] = [{ name: 's', type: 'symlink', linkname: 'x/'.repeat(20) }, { name: 's/f', data: 'x' }];
    expect(await refusal([layer], { limits: { maxDepth: 8 } })).toMatch(/^layer l\.tar: entry "s\/f": symlink "s" points 8\+ directories deep$/);
  });

  it('directories created for the parents of entries count against maxEntries', async () => {
    expect(await refusal([[{ name: `${'p/'.repeat(30)}f`, data: 'x' }]], { limits: { maxEntries: 10 } })).toMatch(
      /entry "(p\/){30}f": more than 10 directories created for the parents of entries$/,
    );
  });
});

describe('malformed headers name the entry', () => {
  it('a LIBARCHIVE.xattr key that is not percent-encoded', async () => {
    expect(await refusal([[{ name: 'etc/file', data: 'x', pax: { 'LIBARCHIVE.xattr.user.%E0%A4%A': 'eA==' } }]])).toBe(
      'layer l.tar: entry "etc/file": invalid PAX record "LIBARCHIVE.xattr.user.%E0%A4%A": the xattr name is not percent-encoded',
    );
  });

  it.each([
    ['uid', { uid: '4294967296' }, 'uid 4294967296 out of range (at most 4294967294)'],
    ['gid', { gid: '4294967295' }, 'gid 4294967295 out of range (at most 4294967294)'],
    ['mtime', { mtime: '9'.repeat(400) }, `invalid PAX mtime "${'9'.repeat(200)}"…(400 chars)`],
  ])('a PAX %s out of range', async (_what, pax, reason) => {
    expect(await refusal([[{ name: 'f', data: 'x', pax }]])).toBe(`layer l.tar: entry "f": ${reason}`);
  });

  it('a file entry named "." cannot replace the root', async () => {
    expect(await refusal([[{ name: '.', data: 'x' }]])).toBe('layer l.tar: entry ".": the root cannot be replaced');
  });

  it('a stream cut inside the padding after an entry', async () => {
    const blob = tar([{ name: 'f', data: 'abc' }]).subarray(0, 512 + 100);
    expect(await refusal([blob])).toBe("layer l.tar: entry \"f\": unexpected end of archive: the padding after the entry's 3 bytes stops short of its 512-byte block");
  });

  it('a name with control characters and 5000 bytes is quoted on one bounded line', async () => {
    const name = `x\n\u001b[31m${'y'.repeat(5000)}`;
    const message = await refusal([[{ name: `../${name}`, data: 'x' }]]);
    expect(message.length).toBeLessThan(400);
    expect(message).toContain('entry "../x\\n\\u001b[31myyy');
    expect(message).toContain('…(5010 chars)');
  });
});
