/**
 * Hostile layers. For every attack a sentinel tree OUTSIDE dest (outside/secret, outside/dir) and
 * the host's /etc/passwd are snapshotted before and compared after: nothing outside dest may be
 * created, modified or deleted, whether the layer is refused or applied.
 * Reference classes: umoci CVE-2021-29136 (root replaced by a symlink), docker CVE-2018-15664
 * (symlink swapped under a path being written), CVE-2019-14271 (trusting the container's tree),
 * node-tar CVE-2021-32803/32804/37701/37712 (stale directory cache, absolute and `..` names,
 * symlinks replacing directories).
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { lgetxattr } from '@tincan/libc';
import { applyLayer, LayerError, type ApplyMode, type LayerLimits } from '../src';
import { snapshot } from './fixtures/fs-snapshot';
import { capNetBindService, entryBlocks, header, tar, type TestEntry } from './fixtures/tar-builder';

const work = mkdtempSync(join(tmpdir(), 'tincan-layer-hostile-'));
const outside = join(work, 'outside');
const cases = join(work, 'cases');
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  mkdirSync(join(outside, 'dir'), { recursive: true });
  writeFileSync(join(outside, 'secret'), 'top secret\n');
  writeFileSync(join(outside, 'dir', 'keep'), 'keep\n');
  mkdirSync(cases);
});

let seq = 0;
/** dest is cases/<n>/dest, so `../../outside` from dest is the sentinel. */
function freshDest(): string {
  const d = join(cases, String(seq++), 'dest');
  mkdirSync(d, { recursive: true });
  return d;
}

type Layer = TestEntry[] | Buffer;
interface Attack {
  layers: Layer[];
  mode?: ApplyMode;
  limits?: LayerLimits;
  /** the LayerError message expected (substring); undefined: the layer may apply */
  rejects?: string | RegExp;
}

function hostState(): { outside: Map<string, string>; work: string[]; passwd: string } {
  const p = lstatSync('/etc/passwd', { bigint: true });
  return {
    outside: snapshot(outside),
    work: readdirSync(work).sort(),
    passwd: `${p.ino} ${p.nlink} ${p.mtimeNs} ${readFileSync('/etc/passwd', 'utf8').length}`,
  };
}

async function run(attack: Attack): Promise<{ dest: string; error: unknown }> {
  const before = hostState();
  const dest = freshDest();
  let error: unknown;
  try {
    for (const l of attack.layers) {
      const blob = Buffer.isBuffer(l) ? l : tar(l);
      await applyLayer(Readable.from([blob]), dest, { mode: attack.mode ?? 'extract', limits: attack.limits, layer: 'hostile.tar' });
    }
  } catch (err) {
    error = err;
  }
  expect(hostState()).toEqual(before);
  if (attack.rejects === undefined) {
    expect(error).toBeUndefined();
  } else {
    expect(error).toBeInstanceOf(LayerError);
    expect((error as Error).message).toMatch(attack.rejects);
  }
  return { dest, error };
}

const abs = (p: string): string => join(outside, p);

describe('names that escape', () => {
  it.each([
    ['../', '../../outside/secret'],
    ['nested ..', 'etc/../../x'],
    ['deep ..', 'a/b/../../../../outside/secret'],
  ])('%s is refused naming the entry', async (_l, name) => {
    await run({ layers: [[{ name, data: 'pwned' }]], rejects: `layer hostile.tar: entry ${JSON.stringify(name)}: path escapes the root` });
  });

  it('an absolute path lands inside dest', async () => {
    const { dest } = await run({ layers: [[{ name: abs('secret'), data: 'pwned' }]] });
    expect(readFileSync(join(dest, outside, 'secret'), 'utf8')).toBe('pwned');
  });

  it('a whiteout named ".wh..." (= "..") is refused', async () => {
    await run({ layers: [[{ name: 'a/b/c', data: 'x' }], [{ name: 'a/b/.wh...' }]], rejects: 'invalid whiteout name' });
  });
});

describe('symlinks planted to write outside', () => {
  it.each<[string, TestEntry[][]]>([
    ['file written through a final symlink', [[{ name: 'evil', type: 'symlink', linkname: abs('secret') }, { name: 'evil', data: 'pwned' }]]],
    ['relative final symlink', [[{ name: 'evil', type: 'symlink', linkname: '../../outside/secret' }, { name: 'evil', data: 'pwned' }]]],
    ['symlinked parent, absolute target', [[{ name: 'link', type: 'symlink', linkname: outside }, { name: 'link/secret', data: 'pwned' }, { name: 'link/new', data: 'pwned' }]]],
    ['symlinked parent, relative target', [[{ name: 'link', type: 'symlink', linkname: '../../outside' }, { name: 'link/secret', data: 'pwned' }, { name: 'link/dir/new', data: 'x' }]]],
    ['across layers: layer 1 plants, layer 2 writes', [
      [{ name: 'link', type: 'symlink', linkname: '../../outside' }, { name: 'alink', type: 'symlink', linkname: outside }],
      [{ name: 'link/secret', data: 'pwned' }, { name: 'alink/secret', data: 'pwned' }, { name: 'link/dir/', type: 'dir', mode: 0o777 }],
    ]],
    ['symlink chain with .. in targets', [[
      { name: 'c/', type: 'dir' },
      { name: 'c/up', type: 'symlink', linkname: '../../../../../..' },
      { name: 'b', type: 'symlink', linkname: 'c/up' },
      { name: 'a', type: 'symlink', linkname: 'b/./' + outside.slice(1) },
      { name: 'a/secret', data: 'pwned' },
      { name: 'b/tmp/pwned', data: 'pwned' },
    ]]],
    ['directory entry over a symlink to outside (chmod must not follow)', [[{ name: 'link', type: 'symlink', linkname: outside }], [{ name: 'link/', type: 'dir', mode: 0o777, uid: 1234 }, { name: 'link/secret', data: 'pwned' }]]],
    ['symlink over a cached directory (node-tar CVE-2021-32803)', [[
      { name: 'foo/', type: 'dir' }, { name: 'foo/a', data: 'a' },
      { name: './foo/', type: 'symlink', linkname: '../../outside' },
      { name: 'foo/secret', data: 'pwned' },
    ]]],
    ['hard link, fifo and symlink created under a symlinked parent', [[
      { name: 'f', data: 'x' }, { name: 'link', type: 'symlink', linkname: '../../outside' },
      { name: 'link/hard', type: 'link', linkname: 'f' }, { name: 'link/fifo', type: 'fifo' }, { name: 'link/evil', type: 'symlink', linkname: '/etc' },
      { name: 'link/dir/', type: 'dir' }, { name: 'link/dir/keep', data: 'pwned' },
    ]]],
    ['symlink over a cached directory, across layers', [[{ name: 'foo/', type: 'dir' }, { name: 'foo/a', data: 'a' }], [{ name: 'foo', type: 'symlink', linkname: outside }, { name: 'foo/secret', data: 'pwned' }]]],
  ])('%s', async (_l, layers) => {
    const { dest } = await run({ layers });
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('top secret\n');
    expect(existsSync(dest)).toBe(true);
  });

  it('xattrs of a symlink entry land on the link itself, never on its target', async () => {
    const { dest } = await run({ layers: [[
      { name: 'evil', type: 'symlink', linkname: abs('secret'), pax: { 'SCHILY.xattr.trusted.pwned': 'x', 'SCHILY.xattr.user.pwned': 'x' } },
      { name: 'evil2', type: 'symlink', linkname: '../../outside/secret', pax: { 'SCHILY.xattr.security.capability': capNetBindService() } },
    ]] });
    for (const name of ['trusted.pwned', 'user.pwned', 'security.capability']) expect(lgetxattr(join(outside, 'secret'), name)).toBeUndefined();
    expect(lgetxattr(join(dest, 'evil'), 'trusted.pwned')?.toString()).toBe('x');
  });

  it('the root itself cannot become a symlink (umoci CVE-2021-29136)', async () => {
    await run({ layers: [[{ name: './', type: 'symlink', linkname: outside }, { name: 'secret', data: 'pwned' }]], rejects: 'the root cannot be replaced' });
    await run({ layers: [[{ name: '.', type: 'symlink', linkname: '../../outside' }]], rejects: 'the root cannot be replaced' });
  });

  it('overlay mode: the same planted symlinks stay inside the layer dir', async () => {
    await run({ mode: 'overlay', layers: [[{ name: 'link', type: 'symlink', linkname: '../../outside' }, { name: 'link/secret', data: 'pwned' }, { name: 'link/.wh.secret' }, { name: 'link/dir/.wh..wh..opq' }]] });
  });
});

describe('hard links', () => {
  it.each<[string, TestEntry[][], string]>([
    ['to /etc/passwd', [[{ name: 'passwd', type: 'link', linkname: '/etc/passwd' }]], 'does not exist in the layer root'],
    ['to ../outside/secret', [[{ name: 'stolen', type: 'link', linkname: '../../outside/secret' }]], 'path escapes the root'],
    ['through a symlinked directory', [[{ name: 'link', type: 'symlink', linkname: '../../outside' }, { name: 'stolen', type: 'link', linkname: 'link/secret' }]], 'does not exist in the layer root'],
    ['through an absolute symlinked directory', [[{ name: 'link', type: 'symlink', linkname: outside }, { name: 'stolen', type: 'link', linkname: 'link/secret' }]], 'does not exist in the layer root'],
  ])('%s is refused', async (_l, layers, reason) => {
    await run({ layers, rejects: reason });
    expect(statSync(join(outside, 'secret')).nlink).toBe(1);
  });

  it('to a symlink pointing outside links the symlink itself, never its target', async () => {
    const { dest } = await run({ layers: [
      [{ name: 'sl', type: 'symlink', linkname: abs('secret') }, { name: 'hl', type: 'link', linkname: 'sl' }],
      [{ name: 'hl', data: 'pwned' }],
    ] });
    expect(lstatSync(join(dest, 'sl')).isSymbolicLink()).toBe(true);
    expect(statSync(join(outside, 'secret')).nlink).toBe(1);
  });
});

describe('whiteouts and opaque dirs through symlinks', () => {
  it.each<[string, TestEntry[][], ApplyMode]>([
    ['whiteout link/.wh.secret (absolute link)', [[{ name: 'link', type: 'symlink', linkname: outside }, { name: 'link/.wh.secret' }]], 'extract'],
    ['whiteout link/.wh.secret (relative link, across layers)', [[{ name: 'link', type: 'symlink', linkname: '../../outside' }], [{ name: 'link/.wh.secret' }, { name: 'link/.wh.dir' }]], 'extract'],
    ['opaque dir through a symlink', [[{ name: 'link', type: 'symlink', linkname: '../../outside' }], [{ name: 'link/.wh..wh..opq' }]], 'extract'],
    ['opaque dir through an absolute symlink', [[{ name: 'link', type: 'symlink', linkname: outside }], [{ name: 'link/.wh..wh..opq' }]], 'extract'],
    ['overlay whiteout through a symlink', [[{ name: 'link', type: 'symlink', linkname: '../../outside' }, { name: 'link/.wh.secret' }]], 'overlay'],
    ['overlay opaque through an absolute symlink', [[{ name: 'link', type: 'symlink', linkname: outside }, { name: 'link/.wh..wh..opq' }]], 'overlay'],
  ])('%s', async (_l, layers, mode) => {
    await run({ layers, mode });
    expect(existsSync(join(outside, 'dir', 'keep'))).toBe(true);
  });
});

describe('tar bombs and limits', () => {
  it('a name over 4096 bytes is refused with a clear error', async () => {
    const name = `${'d/'.repeat(2100)}f`;
    await run({ layers: [[{ name, data: 'x' }]], rejects: 'name longer than 4096 bytes' });
  });

  it('a GNU long name over the limit is refused before it is buffered', async () => {
    await run({ layers: [[{ name: 'x'.repeat(5000), data: 'x', longNames: 'gnu' }]], rejects: 'name longer than 4096 bytes' });
  });

  it('a path component over 255 bytes is refused', async () => {
    await run({ layers: [[{ name: `ok/${'c'.repeat(256)}`, data: 'x' }]], rejects: 'path component longer than 255 bytes' });
  });

  it('a huge declared size is refused at once, before any data', async () => {
    const blob = Buffer.concat(entryBlocks({ name: 'bomb', declaredSize: 2 ** 50, data: 'tiny' }));
    await run({ layers: [blob], rejects: /entry "bomb": entry declares 1125899906842624 bytes: .*limit of 68719476736 bytes/ });
  });

  it('a declared size longer than the stream is a truncation error, not a hang', async () => {
    const blob = Buffer.concat([...entryBlocks({ name: 'bomb', declaredSize: 10 * 1024 * 1024, data: 'tiny' })]);
    await run({ layers: [blob], rejects: 'entry "bomb": unexpected end of archive: entry declares 10485760 bytes, 512 received' });
  });

  it('a stream ending inside a header is an error', async () => {
    const blob = Buffer.concat([...entryBlocks({ name: 'a', data: 'x' }), header({ name: 'b', flag: '0', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: 0, linkname: '', devmajor: 0, devminor: 0 }).subarray(0, 100)]);
    await run({ layers: [blob], rejects: 'unexpected end of archive inside a header' });
  });

  it('a corrupt header checksum is refused', async () => {
    const blob = tar([{ name: 'a', data: 'x' }]);
    blob[0] = 'b'.charCodeAt(0);
    await run({ layers: [blob], rejects: 'invalid tar header checksum at offset 0' });
  });

  it('millions of entries are stopped by the entry limit (a small limit here)', async () => {
    const entries = Array.from({ length: 1000 }, (_, i) => ({ name: `f${i}` }));
    await run({ layers: [entries], limits: { maxEntries: 100 }, rejects: 'too many entries: the limit is 100' });
  });

  it('the uncompressed size is capped by maxBytes', async () => {
    await run({ layers: [[{ name: 'big', data: Buffer.alloc(1 << 20) }]], limits: { maxBytes: 64 * 1024 }, rejects: 'limit of 65536 bytes' });
  });

  it('an oversized PAX header is refused before it is buffered', async () => {
    await run({ layers: [[{ name: 'p', data: 'x', pax: { comment: 'z'.repeat(2 * 1024 * 1024) } }]], rejects: /PAX header of \d+ bytes exceeds 1048576/ });
  });

  it('a NUL byte inside a PAX path is refused', async () => {
    await run({ layers: [[{ name: 'p', data: 'x', pax: { path: 'safe\0/../../outside/secret' } }]], rejects: 'name contains a NUL byte' });
  });
});
