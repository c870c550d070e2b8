import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, existsSync, writeFileSync, symlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { ImageError, ImageStore, type PreparedRootfs } from '../src';
import { APP_GROUP, APP_PASSWD, baseLayerFiles, busyboxImage, imageBlobs, makeTar, writeBusyboxLayout, writeLayout, zstdCompress } from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';
import { describeWithTools } from './helpers/tools';

const execFileP = promisify(execFile);

/** Mount the prepared rootfs the way the runtime will (in a private mount namespace) and run `script` chrooted in it. */
async function runInOverlay(rootfs: PreparedRootfs, merged: string, script: string): Promise<string> {
  const opts = [`lowerdir=${rootfs.lowerDirs.join(':')}`, ...(rootfs.upperDir ? [`upperdir=${rootfs.upperDir}`, `workdir=${rootfs.workDir}`] : [])].join(',');
  mkdirSync(merged, { recursive: true });
  const { stdout } = await execFileP('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t overlay overlay -o "$1" "$2" && chroot "$2" /bin/sh -c "$3"', 'sh', opts, merged, script]);
  return stdout;
}

describe('prepareRootfs', () => {
  const tmp = scratchDir('rootfs');
  const layout = tmp.path('layout');
  const storeRoot = tmp.path('store');
  const store = new ImageStore({ root: storeRoot });
  beforeAll(() => writeBusyboxLayout(layout, '1'));
  afterAll(() => tmp.cleanup());

  describe('image source', () => {
    let rootfs: PreparedRootfs;
    beforeAll(async () => {
      rootfs = await store.prepareRootfs(`oci:${layout}:1`, { containerId: 'img' });
    });
    afterAll(() => rootfs.release());

    it('mounts as overlayfs showing the merged image (whiteout and opaque dir applied)', async () => {
      const out = await runInOverlay(rootfs, tmp.path('merged-img'), 'cat /home/app/hello.txt; ls /opt; test -e /etc/motd || echo motd-gone; echo changed > /etc/motd');
      expect(out).toBe('hello from layer 2\nnew.txt\nmotd-gone\n');
      // writes land in the container's upper dir, never in the cached layers
      expect(readFileSync(join(rootfs.upperDir as string, 'etc/motd'), 'utf8')).toBe('changed\n');
    });

    it.each([
      ['app', { uid: 1000, gid: 1000, additionalGids: [50, 10] }],
      ['1000', { uid: 1000, gid: 1000, additionalGids: [50, 10] }],
      ['root', { uid: 0, gid: 0, additionalGids: [10] }],
      ['', { uid: 0, gid: 0, additionalGids: [10] }],
      ['app:staff', { uid: 1000, gid: 50, additionalGids: [10] }],
      ['app:4000', { uid: 1000, gid: 4000, additionalGids: [50, 10] }],
      ['1000:1000', { uid: 1000, gid: 1000, additionalGids: [50, 10] }],
      ['nobody', { uid: 65534, gid: 65534, additionalGids: [] }],
      ['4242', { uid: 4242, gid: 0, additionalGids: [] }],
      ['4242:nogroup', { uid: 4242, gid: 65534, additionalGids: [] }],
    ])('resolveUser(%j) reads the top layer\'s /etc/passwd and /etc/group', async (spec, expected) => {
      const { home, ...ids } = await rootfs.resolveUser(spec);
      expect(ids).toEqual(expected);
      expect(home).toBe(spec.startsWith('app') || spec.startsWith('1000') ? '/home/app' : spec === 'nobody' ? '/' : spec.startsWith('4242') ? undefined : '/root');
    });

    it.each([
      ['ghost', 'user "ghost" not found in the image\'s /etc/passwd'],
      ['app:ghosts', 'group "ghosts" not found in the image\'s /etc/group'],
      ['a:b:c', 'invalid user'],
      ['99999999999', 'out of range'],
    ])('resolveUser(%j) fails clearly', async (spec, message) => {
      await expect(rootfs.resolveUser(spec)).rejects.toThrow(message);
      await expect(rootfs.resolveUser(spec)).rejects.toBeInstanceOf(ImageError);
    });

    it('refuses a second rootfs for the same container id and bad ids', async () => {
      await expect(store.prepareRootfs(`oci:${layout}:1`, { containerId: 'img' })).rejects.toThrow('container img already has a prepared rootfs');
      await expect(store.prepareRootfs(`oci:${layout}:1`, { containerId: '../evil' })).rejects.toThrow('invalid container id');
    });
  });

  it('release removes the container dir, with the files the container wrote, and may be called twice', async () => {
    const rootfs = await store.prepareRootfs(`oci:${layout}:1`, { containerId: 'written' });
    const dir = join(storeRoot, 'containers', 'written');
    expect(readdirSync(dir).sort()).toEqual(['rootfs.json', 'upper', 'work']);
    expect(JSON.parse(readFileSync(join(dir, 'rootfs.json'), 'utf8'))).toEqual({ source: `oci:${layout}:1`, image: expect.stringMatching(/^sha256:/), lowerDirs: rootfs.lowerDirs });
    await runInOverlay(rootfs, tmp.path('merged-written'), 'mkdir -p /srv/data && echo x > /srv/data/file');
    await rootfs.release();
    expect(existsSync(dir)).toBe(false);
    await rootfs.release();
    const untouched = await store.prepareRootfs(`oci:${layout}:1`, { containerId: 'untouched' });
    await runInOverlay(untouched, tmp.path('merged-untouched'), 'true');
    await untouched.release();
    expect(readdirSync(join(storeRoot, 'containers'))).not.toContain('untouched');
  });

  it('uses a plain directory in place', async () => {
    const dir = tmp.path('plain');
    mkdirSync(join(dir, 'etc'), { recursive: true });
    writeFileSync(join(dir, 'etc/passwd'), APP_PASSWD);
    writeFileSync(join(dir, 'etc/group'), APP_GROUP);
    const rootfs = await store.prepareRootfs(dir, { containerId: 'dir' });
    expect(rootfs).toMatchObject({ kind: 'directory', lowerDirs: [dir], defaults: {} });
    expect(rootfs.upperDir).toBeUndefined();
    expect(await rootfs.resolveUser('app:wheel')).toEqual({ uid: 1000, gid: 10, additionalGids: [50], home: '/home/app' });
    await rootfs.release();
    expect(existsSync(dir)).toBe(true);
    await expect(store.prepareRootfs(tmp.path('missing-dir'), { containerId: 'x' })).rejects.toThrow('rootfs directory is not accessible (ENOENT)');
  });

  it('follows symlinks inside the image when resolving users (never to the host)', async () => {
    const dir = tmp.path('linked');
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data/passwd'), 'svc:x:7:8::/:/bin/sh\n');
    mkdirSync(join(dir, 'etc'));
    symlinkSync('/data/passwd', join(dir, 'etc/passwd'));
    symlinkSync('/etc/shadow', join(dir, 'etc/group'));
    const rootfs = await store.prepareRootfs(dir, { containerId: 'linked' });
    expect(await rootfs.resolveUser('svc')).toEqual({ uid: 7, gid: 8, additionalGids: [], home: '/' });
  });

  it('unpacks a rootfs tarball once into the layer cache and reuses it', async () => {
    const tarball = tmp.path('rootfs.tar.gz');
    writeFileSync(tarball, gzipSync(await makeTar(baseLayerFiles())));
    const layersBefore = readdirSync(join(storeRoot, 'layers')).length;
    const a = await store.prepareRootfs(tarball, { containerId: 'tar-a' });
    const b = await store.prepareRootfs(tarball, { containerId: 'tar-b', readOnly: true });
    expect(a.kind).toBe('overlay');
    expect(a.lowerDirs).toHaveLength(1);
    expect(b.lowerDirs).toEqual(a.lowerDirs);
    expect(b.upperDir).toBeUndefined();
    expect(readdirSync(join(storeRoot, 'layers')).length - layersBefore).toBeLessThanOrEqual(1);
    expect(readdirSync(join(storeRoot, 'tarballs'))).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(storeRoot, 'tarballs', readdirSync(join(storeRoot, 'tarballs'))[0]), 'utf8'));
    expect(record.sha256).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await runInOverlay(a, tmp.path('merged-tar'), 'echo from-tarball; cat /etc/motd')).toBe('from-tarball\nbase motd\n');
    expect(await a.resolveUser('root')).toEqual({ uid: 0, gid: 0, additionalGids: [], home: '/root' });
    await a.release();
    await b.release();
    expect(readdirSync(join(storeRoot, 'containers'))).not.toContain('tar-a');
  });

  describeWithTools(['zstd'], 'zstd', () => {
    it('unpacks a .tar.zst rootfs tarball', async () => {
      const tarball = tmp.path('rootfs.tar.zst');
      writeFileSync(tarball, zstdCompress(await makeTar([...baseLayerFiles(), { name: 'zst', content: 'yes\n' }])));
      const rootfs = await store.prepareRootfs(tarball, { containerId: 'zst' });
      expect(await runInOverlay(rootfs, tmp.path('merged-zst'), 'cat /zst')).toBe('yes\n');
      await rootfs.release();
    });

    it('applies tar+zstd image layers', async () => {
      const image = await busyboxImage('zstd');
      const dir = tmp.path('layout-zstd');
      writeLayout(dir, imageBlobs(image), [{ blob: image.manifest, tag: 'z' }]);
      const rootfs = await store.prepareRootfs(`oci:${dir}:z`, { containerId: 'zstd-layers' });
      expect(await runInOverlay(rootfs, tmp.path('merged-zstd'), 'cat /home/app/hello.txt')).toBe('hello from layer 2\n');
      await rootfs.release();
    });
  });

  it('with pull "never" a name missing from the store is an error, not a registry request', async () => {
    await expect(store.prepareRootfs('nothere.invalid/img:1', { containerId: 'never', pull: 'never' })).rejects.toThrow(
      'image nothere.invalid/img:1: image is not in the store and the pull policy is "never"',
    );
  });

  it('finds imported images by name and by id prefix before any registry', async () => {
    const record = await store.import(`oci:${layout}:1`, 'local/busybox:1');
    const byName = await store.prepareRootfs('local/busybox:1', { containerId: 'byname', pull: 'never' });
    const byId = await store.prepareRootfs(record.digest.slice(7, 19), { containerId: 'byid', pull: 'never' });
    expect(byId.lowerDirs).toEqual(byName.lowerDirs);
    await byName.release();
    await byId.release();
  });
});
