import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { lgetxattr } from '@tincan/libc';
import { applyLayer, applyLayers, extractLayers, LayerError, type ApplyOptions, type LayerWarning } from '../src';
import { capNetBindService, tar, type TestEntry } from './fixtures/tar-builder';
import { inOverlay } from './fixtures/overlay';

const work = mkdtempSync(join(tmpdir(), 'tincan-layer-rules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let seq = 0;
const freshDir = (): string => mkdtempSync(join(work, `d${seq++}-`));

function apply(entries: TestEntry[], dest: string, opts: Partial<ApplyOptions> = {}) {
  return applyLayer(Readable.from([tar(entries)]), dest, { mode: 'extract', ...opts });
}

/** hex of an xattr of `path` itself ('' when unset). */
function xattr(path: string, name: string): string {
  return lgetxattr(path, name)?.toString('hex') ?? '';
}

describe('entry types', () => {
  const dest = freshDir();
  beforeAll(() =>
    apply([
      { name: 'etc/', type: 'dir' },
      { name: 'etc/hostname', data: 'tincan\n' },
      { name: 'etc/abs-link', type: 'symlink', linkname: '/usr/lib/os-release' },
      { name: 'etc/rel-link', type: 'symlink', linkname: '../etc/hostname' },
      { name: 'etc/hard', type: 'link', linkname: 'etc/hostname' },
      { name: 'run/fifo', type: 'fifo', mode: 0o600 },
      { name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'dev/loop9', type: 'block', devmajor: 7, devminor: 9, mode: 0o660 },
      { name: 'empty', data: '' },
    ], dest));

  it('creates regular files, directories and implicit parents', () => {
    expect(readFileSync(join(dest, 'etc/hostname'), 'utf8')).toBe('tincan\n');
    expect(statSync(join(dest, 'run')).isDirectory()).toBe(true);
    expect(statSync(join(dest, 'run')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dest, 'empty')).size).toBe(0);
  });

  it('keeps symlink targets verbatim (absolute ones too)', () => {
    expect(readlinkSync(join(dest, 'etc/abs-link'))).toBe('/usr/lib/os-release');
    expect(readlinkSync(join(dest, 'etc/rel-link'))).toBe('../etc/hostname');
  });

  it('makes hard links share the inode', () => {
    expect(statSync(join(dest, 'etc/hard')).ino).toBe(statSync(join(dest, 'etc/hostname')).ino);
    expect(statSync(join(dest, 'etc/hostname')).nlink).toBe(2);
  });

  it('creates fifos and char/block devices with their numbers, devices without permission bits', () => {
    expect(lstatSync(join(dest, 'run/fifo')).isFIFO()).toBe(true);
    expect(lstatSync(join(dest, 'run/fifo')).mode & 0o777).toBe(0o600);
    const nul = lstatSync(join(dest, 'dev/null'));
    expect(nul.isCharacterDevice()).toBe(true);
    expect(nul.rdev).toBe(0x103);
    // a host user cannot open a device node an image shipped (0666 in the layer)
    expect(nul.mode & 0o777).toBe(0);
    const loop = lstatSync(join(dest, 'dev/loop9'));
    expect(loop.isBlockDevice()).toBe(true);
    expect(loop.rdev).toBe(0x709);
  });

  it('skips devices with a warning when devices are disabled', async () => {
    const warnings: LayerWarning[] = [];
    const d = freshDir();
    const r = await apply([{ name: 'dev/null', type: 'char', devmajor: 1, devminor: 3 }, { name: 'p', type: 'fifo' }], d, { devices: false, onWarning: (w) => warnings.push(w) });
    expect(existsSync(join(d, 'dev/null'))).toBe(false);
    expect(lstatSync(join(d, 'p')).isFIFO()).toBe(true);
    expect(r.warnings).toBe(1);
    expect(warnings[0]).toMatchObject({ entry: 'dev/null' });
  });

  it('skips unknown entry types with a warning', async () => {
    const warnings: LayerWarning[] = [];
    const r = await apply([{ name: 'vol', type: { flag: 'V' }, data: 'label' }, { name: 'after', data: 'ok' }], freshDir(), { onWarning: (w) => warnings.push(w) });
    expect(r.entries).toBe(2);
    expect(warnings.map((w) => w.entry)).toEqual(['vol']);
  });
});

describe('modes, owners, times, xattrs', () => {
  it('applies setuid/setgid/sticky after chown', async () => {
    const d = freshDir();
    await apply([
      { name: 'bin/su', data: 'x', mode: 0o4755, uid: 1000, gid: 1000 },
      { name: 'bin/wall', data: 'x', mode: 0o2755, uid: 0, gid: 5 },
      { name: 'tmp/', type: 'dir', mode: 0o1777 },
      { name: 'srv/', type: 'dir', mode: 0o2770, uid: 7, gid: 8 },
      { name: 'shared', data: 'x', mode: 0o666 },
      { name: 'locked', data: 'x', mode: 0o000 },
    ], d);
    expect(statSync(join(d, 'shared')).mode & 0o7777).toBe(0o666); // not narrowed by the umask
    expect(statSync(join(d, 'locked')).mode & 0o7777).toBe(0);
    expect(statSync(join(d, 'bin/su'))).toMatchObject({ uid: 1000, gid: 1000 });
    expect(statSync(join(d, 'bin/su')).mode & 0o7777).toBe(0o4755);
    expect(statSync(join(d, 'bin/wall')).mode & 0o7777).toBe(0o2755);
    expect(statSync(join(d, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(d, 'srv'))).toMatchObject({ uid: 7, gid: 8 });
    expect(statSync(join(d, 'srv')).mode & 0o7777).toBe(0o2770);
  });

  it('remaps owners through the id map (implicit parents belong to the mapped root)', async () => {
    const d = freshDir();
    const idMap = { uid: [{ containerId: 0, hostId: 100000, size: 65536 }], gid: [{ containerId: 0, hostId: 200000, size: 65536 }] };
    await apply([
      { name: 'home/user/file', data: 'x', uid: 1000, gid: 1001 },
      { name: 'home/user/link', type: 'symlink', linkname: 'file', uid: 1000, gid: 1001 },
    ], d, { idMap });
    expect(statSync(join(d, 'home/user/file'))).toMatchObject({ uid: 101000, gid: 201001 });
    expect(lstatSync(join(d, 'home/user/link'))).toMatchObject({ uid: 101000, gid: 201001 });
    expect(statSync(join(d, 'home'))).toMatchObject({ uid: 100000, gid: 200000 });
  });

  it('refuses an owner outside the id map', async () => {
    const idMap = { uid: [{ containerId: 0, hostId: 100000, size: 1000 }], gid: [{ containerId: 0, hostId: 100000, size: 65536 }] };
    await expect(apply([{ name: 'f', data: 'x', uid: 5000 }], freshDir(), { idMap, layer: 'sha256:' + 'ab'.repeat(32) }))
      .rejects.toThrow('layer sha256:abababababab…: entry "f": uid 5000 is not mapped');
  });

  it('sets mtimes with nanoseconds, directories after their children, symlinks themselves', async () => {
    const d = freshDir();
    await apply([
      { name: 'dir/', type: 'dir', mtime: 1_500_000_000 },
      { name: 'dir/file', data: 'x', pax: { mtime: '1600000000.123456789', atime: '1600000001.5' } },
      { name: 'dir/link', type: 'symlink', linkname: '/nowhere', mtime: 1_400_000_000 },
      { name: 'dir/sub/', type: 'dir', mtime: 1_300_000_000 },
      { name: 'dir/sub/x', data: 'y' },
    ], d);
    const f = statSync(join(d, 'dir/file'), { bigint: true });
    expect(f.mtimeNs).toBe(1_600_000_000_123_456_789n);
    expect(f.atimeNs).toBe(1_600_000_001_500_000_000n);
    expect(statSync(join(d, 'dir')).mtimeMs).toBe(1_500_000_000_000);
    expect(statSync(join(d, 'dir/sub')).mtimeMs).toBe(1_300_000_000_000);
    expect(lstatSync(join(d, 'dir/link')).mtimeMs).toBe(1_400_000_000_000);
  });

  it('sets security.capability and user xattrs from PAX headers, drops trusted.overlay.*', async () => {
    const d = freshDir();
    const warnings: LayerWarning[] = [];
    await apply([
      { name: 'usr/bin/ping', data: 'elf', mode: 0o755, pax: { 'SCHILY.xattr.security.capability': capNetBindService(), 'SCHILY.xattr.user.note': 'hi' } },
      { name: 'etc/', type: 'dir', pax: { 'SCHILY.xattr.trusted.overlay.redirect': '/x', 'SCHILY.xattr.user.dir': 'd' } },
    ], d, { onWarning: (w) => warnings.push(w) });
    expect(xattr(join(d, 'usr/bin/ping'), 'security.capability')).toBe(capNetBindService().toString('hex'));
    expect(xattr(join(d, 'usr/bin/ping'), 'user.note')).toBe(Buffer.from('hi').toString('hex'));
    expect(xattr(join(d, 'etc'), 'user.dir')).toBe(Buffer.from('d').toString('hex'));
    expect(xattr(join(d, 'etc'), 'trusted.overlay.redirect')).toBe('');
    expect(warnings).toEqual([{ entry: 'etc/', message: expect.stringContaining('trusted.overlay.redirect') }]);
  });
});

describe('names', () => {
  it('reads PAX and GNU long names and link targets', async () => {
    const d = freshDir();
    const long = `${'a'.repeat(120)}/${'b'.repeat(130)}`;
    await apply([
      { name: `${long}/pax-file`, data: 'p' },
      { name: `${long}/gnu-file`, data: 'g', longNames: 'gnu' },
      { name: 'short-link', type: 'symlink', linkname: `/${long}/pax-file` },
      { name: `${long}/gnu-hard`, type: 'link', linkname: `${long}/gnu-file`, longNames: 'gnu' },
    ], d);
    expect(readFileSync(join(d, long, 'pax-file'), 'utf8')).toBe('p');
    expect(readFileSync(join(d, long, 'gnu-file'), 'utf8')).toBe('g');
    expect(readlinkSync(join(d, 'short-link'))).toBe(`/${long}/pax-file`);
    expect(statSync(join(d, long, 'gnu-hard')).ino).toBe(statSync(join(d, long, 'gnu-file')).ino);
  });

  it('makes absolute and dotted names relative to dest', async () => {
    const d = freshDir();
    await apply([{ name: '/abs/file', data: '1' }, { name: './dot/./x//y', data: '2' }, { name: 'a/b/../c', data: '3' }], d);
    expect(readFileSync(join(d, 'abs/file'), 'utf8')).toBe('1');
    expect(readFileSync(join(d, 'dot/x/y'), 'utf8')).toBe('2');
    expect(readFileSync(join(d, 'a/c'), 'utf8')).toBe('3');
  });

  it('applies the root entry metadata to dest itself', async () => {
    const d = freshDir();
    await apply([{ name: './', type: 'dir', mode: 0o750, mtime: 1_234_567_890 }, { name: 'f', data: 'x' }], d);
    expect(statSync(d).mode & 0o7777).toBe(0o750);
    expect(statSync(d).mtimeMs).toBe(1_234_567_890_000);
  });
});

describe('replacing existing paths (extract mode)', () => {
  const dest = freshDir();
  beforeAll(async () => {
    mkdirSync(join(dest, 'lower-target'));
    await apply([
      { name: 'f', data: 'file' },
      { name: 'd/inner/deep', data: 'x' },
      { name: 's', type: 'symlink', linkname: 'lower-target' },
      { name: 'ld/', type: 'dir' },
      { name: 'keep/', type: 'dir', mode: 0o700 },
      { name: 'keep/old', data: 'old' },
      { name: 'target', data: 'must not change' },
      { name: 'via', type: 'symlink', linkname: 'target' },
    ], dest);
    await apply([
      { name: 'f/', type: 'dir' },
      { name: 'f/child', data: 'c' },
      { name: 'd', data: 'now a file' },
      { name: 's/', type: 'dir' },
      { name: 's/x', data: 'in new dir' },
      { name: 'ld', type: 'symlink', linkname: '/etc' },
      { name: 'keep/', type: 'dir', mode: 0o755, uid: 3 },
      { name: 'keep/new', data: 'new' },
      { name: 'via', data: 'replaced the symlink' },
    ], dest);
  });

  it('removes a file, a directory tree, a symlink in the way of another type', () => {
    expect(readFileSync(join(dest, 'f/child'), 'utf8')).toBe('c');
    expect(readFileSync(join(dest, 'd'), 'utf8')).toBe('now a file');
    expect(lstatSync(join(dest, 's')).isDirectory()).toBe(true);
    expect(existsSync(join(dest, 'lower-target/x'))).toBe(false);
    expect(readlinkSync(join(dest, 'ld'))).toBe('/etc');
  });

  it('merges a directory over a directory and updates its metadata', () => {
    expect(readFileSync(join(dest, 'keep/old'), 'utf8')).toBe('old');
    expect(readFileSync(join(dest, 'keep/new'), 'utf8')).toBe('new');
    expect(statSync(join(dest, 'keep')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dest, 'keep')).uid).toBe(3);
  });

  it('replaces a symlink at the final component instead of writing through it', () => {
    expect(lstatSync(join(dest, 'via')).isFile()).toBe(true);
    expect(readFileSync(join(dest, 'via'), 'utf8')).toBe('replaced the symlink');
    expect(readFileSync(join(dest, 'target'), 'utf8')).toBe('must not change');
  });

  it('hard-links to a file of a lower layer, replacing what is at the link name', async () => {
    await apply([{ name: 'target-link', type: 'link', linkname: 'target' }, { name: 'keep/old', type: 'link', linkname: 'keep/new' }], dest);
    expect(statSync(join(dest, 'target-link')).ino).toBe(statSync(join(dest, 'target')).ino);
    expect(readFileSync(join(dest, 'keep/old'), 'utf8')).toBe('new');
  });
});

describe('whiteouts, extract mode', () => {
  const dest = freshDir();
  beforeAll(async () => {
    await apply([
      { name: 'a/x', data: 'x' }, { name: 'a/y', data: 'y' },
      { name: 'b/deep/file', data: 'z' },
      { name: 'o/old1', data: '1' }, { name: 'o/sub/old2', data: '2' }, { name: 'o/gone/old3', data: '3' },
    ], dest);
  });

  it('.wh.NAME deletes NAME from the layers below (a directory with its content)', async () => {
    const r = await apply([{ name: 'a/.wh.x' }, { name: '.wh.b' }, { name: 'a/.wh.never-existed' }, { name: 'missing/.wh.q' }], dest);
    expect(existsSync(join(dest, 'a/x'))).toBe(false);
    expect(readFileSync(join(dest, 'a/y'), 'utf8')).toBe('y');
    expect(existsSync(join(dest, 'b'))).toBe(false);
    expect(existsSync(join(dest, 'missing'))).toBe(false);
    expect(r.whiteouts).toBe(4);
  });

  it('.wh..wh..opq empties the directory of lower entries, keeping this layer\'s (before and after the marker)', async () => {
    await apply([
      { name: 'o/new-before', data: 'nb' },
      { name: 'o/sub/new2', data: 'n2' },
      { name: 'o/.wh..wh..opq' },
      { name: 'o/new-after', data: 'na' },
    ], dest);
    expect(existsSync(join(dest, 'o/old1'))).toBe(false);
    expect(existsSync(join(dest, 'o/sub/old2'))).toBe(false);
    expect(existsSync(join(dest, 'o/gone'))).toBe(false);
    expect(readFileSync(join(dest, 'o/new-before'), 'utf8')).toBe('nb');
    expect(readFileSync(join(dest, 'o/sub/new2'), 'utf8')).toBe('n2');
    expect(readFileSync(join(dest, 'o/new-after'), 'utf8')).toBe('na');
  });

  it('a whiteout does not hide an entry of its own layer', async () => {
    await apply([{ name: 'same/file', data: 'stays' }, { name: 'same/.wh.file' }], dest);
    expect(readFileSync(join(dest, 'same/file'), 'utf8')).toBe('stays');
  });
});

describe('overlay mode', () => {
  const lower = freshDir();
  const upper = freshDir();
  beforeAll(async () => {
    await applyLayer(Readable.from([tar([
      { name: 'a/x', data: 'x' }, { name: 'a/y', data: 'y' }, { name: 'b/file', data: 'b' },
      { name: 'o/old', data: 'old' }, { name: 'o/sub/old2', data: 'old2' },
    ])]), lower, { mode: 'overlay' });
    await applyLayer(Readable.from([tar([
      { name: 'a/.wh.x' }, { name: '.wh.b' }, { name: 'o/', type: 'dir' }, { name: 'o/.wh..wh..opq' }, { name: 'o/new', data: 'new' },
    ])]), upper, { mode: 'overlay' });
  });

  it('writes whiteouts as char 0:0 and opaque dirs with trusted.overlay.opaque=y', () => {
    const wh = lstatSync(join(upper, 'a/x'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect(lstatSync(join(upper, 'b')).isCharacterDevice()).toBe(true);
    expect(xattr(join(upper, 'o'), 'trusted.overlay.opaque')).toBe(Buffer.from('y').toString('hex'));
    expect(existsSync(join(upper, 'a/y'))).toBe(false);
  });

  it('hides the lower entries once really mounted as overlayfs lowers', () => {
    const out = inOverlay([upper, lower], 'find . | sort');
    expect(out.split('\n').filter(Boolean)).toEqual(['.', './a', './a/y', './o', './o/new']);
  });

  it('applyLayers applies independent layers in parallel into their own dirs', async () => {
    const layers = [0, 1, 2, 3].map((i) => ({
      input: Readable.from([gzipSync(tar([{ name: `layer${i}/file`, data: `content ${i}` }, { name: `.wh.other${i}` }]))]),
      dest: freshDir(),
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    }));
    const results = await applyLayers(layers, { concurrency: 3 });
    expect(results.map((r) => r.entries)).toEqual([2, 2, 2, 2]);
    layers.forEach((l, i) => {
      expect(readFileSync(join(l.dest, `layer${i}/file`), 'utf8')).toBe(`content ${i}`);
      expect(lstatSync(join(l.dest, `other${i}`)).isCharacterDevice()).toBe(true);
    });
  });
});

describe('compression and diffId', () => {
  const raw = tar([{ name: 'etc/os-release', data: 'ID=tincan\n'.repeat(1000) }, { name: 'bin/', type: 'dir' }, { name: 'bin/sh', data: Buffer.alloc(70000, 7) }]);
  const rawPath = join(work, 'layer.tar');
  writeFileSync(rawPath, raw);
  const expected = `sha256:${spawnSync('sha256sum', [rawPath], { encoding: 'utf8' }).stdout.split(' ')[0]}`;

  it.each([
    ['tar', 'application/vnd.oci.image.layer.v1.tar', raw],
    ['tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(raw)],
    ['docker gzip', 'application/vnd.docker.image.rootfs.diff.tar.gzip', gzipSync(raw)],
  ])('%s: diffId is the sha256 of the uncompressed tar', async (_label, mediaType, blob) => {
    const d = freshDir();
    const r = await applyLayer(Readable.from([blob]), d, { mode: 'extract', mediaType });
    expect(r.diffId).toBe(expected);
    expect(r.bytes).toBe(raw.length);
    expect(readFileSync(join(d, 'bin/sh')).length).toBe(70000);
  });

  it('sniffs gzip, zstd and plain tar with compression "auto"', async () => {
    const zst = readFileSync(join(__dirname, 'fixtures/small.tar.zst'));
    const zstExpected = `sha256:${readFileSync(join(__dirname, 'fixtures/small.tar.sha256'), 'utf8').split(' ')[0]}`;
    expect((await applyLayer(Readable.from([gzipSync(raw)]), freshDir(), { mode: 'extract', compression: 'auto' })).diffId).toBe(expected);
    expect((await applyLayer(rawPath, freshDir(), { mode: 'extract' })).diffId).toBe(expected);
    expect((await applyLayer(Readable.from([zst]), freshDir(), { mode: 'extract' })).diffId).toBe(zstExpected);
  });

  it.each(['small.tar.zst', 'small-streamed.tar.zst'])('zstd (%s, with and without frame content size)', async (fixture) => {
    const d = freshDir();
    const r = await applyLayer(join(__dirname, 'fixtures', fixture), d, { mode: 'extract', mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' });
    expect(r.diffId).toBe(`sha256:${readFileSync(join(__dirname, 'fixtures/small.tar.sha256'), 'utf8').split(' ')[0]}`);
    expect(readFileSync(join(d, 'etc/motd'), 'utf8')).toBe('welcome to tincan\n');
  });

  it('computes the diffId over bytes after the end-of-archive blocks too', async () => {
    const padded = Buffer.concat([raw, Buffer.alloc(10240)]);
    const r = await applyLayer(Readable.from([padded]), freshDir(), { mode: 'extract' });
    expect(r.diffId).toBe(`sha256:${createHash('sha256').update(padded).digest('hex')}`);
  });

  it('rejects unknown media types and corrupt gzip with a LayerError', async () => {
    await expect(applyLayer(Readable.from([raw]), freshDir(), { mode: 'extract', mediaType: 'application/x-rar' })).rejects.toThrow(LayerError);
    const bad = gzipSync(raw);
    bad.fill(0x55, 30, 60);
    await expect(applyLayer(Readable.from([bad]), freshDir(), { mode: 'extract', compression: 'gzip', layer: 'bad.tgz' })).rejects.toThrow(/^layer bad\.tgz: gzip: /);
  });

  it('rejects corrupt and truncated zstd with a LayerError, never hanging', async () => {
    const zst = readFileSync(join(__dirname, 'fixtures/small-streamed.tar.zst'));
    const truncated = zst.subarray(0, zst.length - 100);
    await expect(applyLayer(Readable.from([truncated]), freshDir(), { mode: 'extract', layer: 't.zst' })).rejects.toThrow(/^layer t\.zst: (zstd: |entry )/);
    const corrupt = Buffer.from(zst);
    corrupt.fill(0xff, 20, 400);
    await expect(applyLayer(Readable.from([corrupt]), freshDir(), { mode: 'extract', layer: 'c.zst' })).rejects.toThrow(LayerError);
  });

  it('applyLayers fails with the first layer error and stops the others', async () => {
    const good = () => ({ input: Readable.from([tar([{ name: 'f', data: 'x' }])]), dest: freshDir() });
    const bad = { input: Readable.from([tar([{ name: '../escape', data: 'x' }])]), dest: freshDir(), layer: 'sha256:' + 'cd'.repeat(32) };
    await expect(applyLayers([good(), bad, good()], { concurrency: 2 })).rejects.toThrow('layer sha256:cdcdcdcdcdcd…: entry "../escape": path escapes the root');
  });
});

describe('cancellation', () => {
  it('rejects at once with an already aborted signal', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(apply([{ name: 'f', data: 'x' }], freshDir(), { signal: ac.signal })).rejects.toThrow('stop');
  });

  it('stops a layer whose stream never ends when the signal aborts', async () => {
    const ac = new AbortController();
    const endless = new Readable({ read() {} });
    endless.push(tar([{ name: 'f', data: 'x' }], { endBlocks: false }));
    const done = applyLayer(endless, freshDir(), { mode: 'extract', signal: ac.signal });
    setTimeout(() => ac.abort(new Error('cancelled')), 20);
    await expect(done).rejects.toThrow('cancelled');
    expect(endless.destroyed).toBe(true);
  });
});

describe('real tar writers', () => {
  it('applies a GNU tar --xattrs --format=posix layer like GNU tar itself extracts it', async () => {
    const src = freshDir();
    mkdirSync(join(src, 'usr/bin'), { recursive: true });
    writeFileSync(join(src, 'usr/bin/tool'), 'tool');
    spawnSync('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], "user.origin", b"gnu")', join(src, 'usr/bin/tool')]);
    const long = join(src, 'x'.repeat(200));
    mkdirSync(long);
    writeFileSync(join(long, 'f'), 'deep');
    const layerPath = join(work, 'gnu.tar');
    const t = spawnSync('tar', ['--xattrs', '--format=posix', '-C', src, '-cf', layerPath, '.']);
    expect(t.status).toBe(0);
    const d = freshDir();
    const r = await applyLayer(layerPath, d, { mode: 'extract' });
    expect(r.entries).toBe(6);
    expect(readFileSync(join(d, 'x'.repeat(200), 'f'), 'utf8')).toBe('deep');
    expect(xattr(join(d, 'usr/bin/tool'), 'user.origin')).toBe(Buffer.from('gnu').toString('hex'));
  });

  it('reads GNU base-256 numbers: a pre-1970 mtime', async () => {
    const src = freshDir();
    writeFileSync(join(src, 'old'), 'x');
    expect(spawnSync('touch', ['-d', '1960-01-01T00:00:00Z', join(src, 'old')]).status).toBe(0); // node's utimes turns negative times into "now"
    const layerPath = join(work, 'gnu-old.tar');
    expect(spawnSync('tar', ['--format=gnu', '-C', src, '-cf', layerPath, 'old']).status).toBe(0);
    const d = freshDir();
    await applyLayer(layerPath, d, { mode: 'extract' });
    expect(statSync(join(d, 'old')).mtimeMs).toBe(-315_619_200_000);
  });

  it('extractLayers applies an image in order', async () => {
    const d = freshDir();
    const results = await extractLayers([
      { input: Readable.from([tar([{ name: 'a', data: '1' }, { name: 'b', data: '2' }])]) },
      { input: Readable.from([gzipSync(tar([{ name: '.wh.a' }, { name: 'b', data: '3' }]))]), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
    ], d);
    expect(results.map((r) => r.whiteouts)).toEqual([0, 1]);
    expect(existsSync(join(d, 'a'))).toBe(false);
    expect(readFileSync(join(d, 'b'), 'utf8')).toBe('3');
  });
});
