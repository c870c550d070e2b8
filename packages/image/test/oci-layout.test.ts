import { lstatSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { lgetxattr } from '@tincan/libc';
import { ImageError, ImageStore } from '../src';
import { type BuiltImage, writeBusyboxLayout } from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';

describe('OCI image layout source', () => {
  const tmp = scratchDir('layout');
  const layout = tmp.path('layout');
  const store = new ImageStore({ root: tmp.path('store') });
  let image: BuiltImage;
  beforeAll(async () => {
    image = await writeBusyboxLayout(layout, '1');
  });
  afterAll(() => tmp.cleanup());

  it('imports into blobs/ and layers/ keyed by digest and diffId', async () => {
    const record = await store.import(`oci:${layout}:1`, 'test/busybox:1');
    expect(record.digest).toBe(image.manifest.digest);
    expect(record.names).toEqual(['docker.io/test/busybox:1']);
    expect(record.layers.map((l) => l.diffId)).toEqual(image.layers.map((l) => l.diffId));
    const blobs = readdirSync(tmp.path('store', 'blobs', 'sha256')).sort();
    expect(blobs).toEqual([image.manifest, image.config, ...image.layers].map((b) => b.digest.slice(7)).sort());
    const layers = readdirSync(tmp.path('store', 'layers')).sort();
    expect(layers).toEqual(image.layers.map((l) => l.diffId.slice(7)).sort());
  });

  it('prepares overlay lowers topmost first, with whiteouts and opaque dirs as overlayfs reads them', async () => {
    const rootfs = await store.prepareRootfs(`oci:${layout}:1`, { containerId: 'c1' });
    const [top, base] = rootfs.lowerDirs;
    expect(rootfs.kind).toBe('overlay');
    expect(rootfs.lowerDirs).toEqual(image.layers.map((l) => tmp.path('store', 'layers', l.diffId.slice(7), 'diff')).reverse());
    expect(readFileSync(join(top, 'etc/passwd'), 'utf8')).toContain('app:x:1000');
    expect(existsSync(join(base, 'bin/busybox'))).toBe(true);
    const motd = lstatSync(join(top, 'etc/motd'));
    expect(motd.isCharacterDevice() && motd.rdev === 0).toBe(true);
    expect(lgetxattr(join(top, 'opt'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(rootfs.upperDir).toBe(tmp.path('store', 'containers', 'c1', 'upper'));
    expect(rootfs.workDir).toBe(tmp.path('store', 'containers', 'c1', 'work'));
    expect(rootfs.defaults).toEqual({
      entrypoint: ['/bin/sh', '-c'],
      cmd: ['echo hello'],
      env: ['PATH=/bin', 'GREETING=hi'],
      workingDir: '/home/app',
      user: 'app',
      labels: { 'org.example.test': 'yes' },
      exposedPorts: ['8080/tcp'],
    });
    await rootfs.release();
    expect(existsSync(tmp.path('store', 'containers', 'c1'))).toBe(false);
    await rootfs.release();
  });

  it('selects by digest, and by the only manifest when no tag is given', async () => {
    const byDigest = await store.prepareRootfs(`oci:${layout}@${image.manifest.digest}`, { containerId: 'c2', readOnly: true });
    expect(byDigest.upperDir).toBeUndefined();
    expect(byDigest.workDir).toBeUndefined();
    expect(byDigest.lowerDirs).toHaveLength(2);
    await byDigest.release();
    const only = await store.import(layout);
    expect(only.digest).toBe(image.manifest.digest);
  });

  it('names a missing tag and the tags there are', async () => {
    await expect(store.prepareRootfs(`oci:${layout}:nope`, { containerId: 'c3' })).rejects.toThrow(
      `image oci:${layout}:nope: no manifest tagged "nope" (tags: "1")`,
    );
    await expect(store.import(`oci:${tmp.path('nothing')}`)).rejects.toBeInstanceOf(ImageError);
  });
});
