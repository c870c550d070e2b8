import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { ImageError, ImageStore } from '../src';
import { type BuiltImage, baseLayerFiles, busyboxImage, imageBlobs, makeImage, makeTar, writeLayout } from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';

describe('store: list, remove, prune', () => {
  const tmp = scratchDir('store');
  const layout = tmp.path('layout');
  const root = tmp.path('store');
  const store = new ImageStore({ root });
  let app: BuiltImage;
  let base: BuiltImage;
  const count = (dir: string): number => readdirSync(join(root, dir)).length;

  beforeAll(async () => {
    app = await busyboxImage();
    base = makeImage([app.layers[0]], { config: { Cmd: ['sh'] } });
    writeLayout(layout, [...imageBlobs(app), ...imageBlobs(base)], [
      { blob: app.manifest, tag: 'app' },
      { blob: base.manifest, tag: 'base' },
    ]);
    await store.import(`oci:${layout}:app`, 'example.com/app:1');
    await store.import(`oci:${layout}:app`, 'example.com/app:2');
    await store.import(`oci:${layout}:base`, 'example.com/base:1');
  });
  afterAll(() => tmp.cleanup());

  it('lists one record per manifest with all its names', async () => {
    const records = await store.list();
    expect(records.map((r) => [r.digest, r.names])).toEqual([
      [app.manifest.digest, ['example.com/app:1', 'example.com/app:2']],
      [base.manifest.digest, ['example.com/base:1']],
    ]);
    expect(records[0]).toMatchObject({ configDigest: app.config.digest, source: `oci:${layout}:app`, size: app.manifest.size + app.config.size + app.layers[0].size + app.layers[1].size });
    expect(await store.defaults('example.com/base:1')).toEqual({ cmd: ['sh'] });
  });

  it('moves a name to the image it is imported for', async () => {
    await store.import(`oci:${layout}:base`, 'example.com/app:2');
    expect((await store.list()).map((r) => r.names)).toEqual([['example.com/app:1'], ['example.com/base:1', 'example.com/app:2']]);
    await store.remove('example.com/app:2');
    expect((await store.list()).map((r) => r.names)).toEqual([['example.com/app:1'], ['example.com/base:1']]);
  });

  it('prune keeps what images and live containers use, and drops the rest', async () => {
    const rootfs = await store.prepareRootfs('example.com/app:1', { containerId: 'keep', pull: 'never' });
    await store.remove('example.com/app:1');
    expect((await store.list()).map((r) => r.digest)).toEqual([base.manifest.digest]);
    mkdirSync(join(root, 'tmp', 'ingest-crashed'));
    writeFileSync(join(root, 'tmp', 'ingest-crashed', 'partial'), 'x');

    // app's manifest, config and top layer blob go (the base layer blob is base's too); its layer dirs stay while the container lives
    const first = await store.prune();
    expect(first).toMatchObject({ blobs: 3, layers: 0 });
    expect(first.bytes).toBe(app.manifest.size + app.config.size + app.layers[1].size);
    expect(count('layers')).toBe(2);
    expect(count('tmp')).toBe(0);
    for (const dir of rootfs.lowerDirs) expect(existsSync(dir)).toBe(true);

    await rootfs.release();
    const second = await store.prune();
    expect(second).toMatchObject({ blobs: 0, layers: 1 });
    expect(second.bytes).toBeGreaterThan(0);
    expect(readdirSync(join(root, 'layers'))).toEqual([app.layers[0].diffId.slice(7)]);
    expect(readdirSync(join(root, 'blobs/sha256')).sort()).toEqual(imageBlobs(base).map((b) => b.digest.slice(7)).sort());
    const again = await store.prepareRootfs('example.com/base:1', { containerId: 'base', pull: 'never' });
    expect(again.lowerDirs).toEqual([join(root, 'layers', app.layers[0].diffId.slice(7), 'diff')]);
    await again.release();
  });

  it('prune drops tarball layers no container uses', async () => {
    const tarball = tmp.path('rootfs.tgz');
    writeFileSync(tarball, gzipSync(await makeTar([...baseLayerFiles(), { name: 'marker', content: 'tgz' }])));
    const rootfs = await store.prepareRootfs(tarball, { containerId: 'tgz' });
    await rootfs.release();
    expect(count('tarballs')).toBe(1);
    expect(await store.prune()).toMatchObject({ blobs: 0, layers: 1 });
    expect(count('tarballs')).toBe(0);
  });

  it('prune skips a container record torn by a crash (rootfs.json is written in place)', async () => {
    mkdirSync(join(root, 'containers', 'crashed'));
    writeFileSync(join(root, 'containers', 'crashed', 'rootfs.json'), '{"source":"example.com/app:1","lowerDirs":["/var/li');
    await expect(store.prune()).resolves.toMatchObject({ blobs: 0, layers: 0 });
  });

  it('remove of an unknown image is an ImageError naming it', async () => {
    await expect(store.remove('example.com/none:1')).rejects.toThrow('image example.com/none:1: no such image in the store');
    await expect(store.remove('example.com/none:1')).rejects.toBeInstanceOf(ImageError);
  });

  it('removes by digest', async () => {
    await store.remove(base.manifest.digest);
    expect(await store.list()).toEqual([]);
  });

  it('prune waits for an operation holding the store lock (flock(1) from util-linux holds it here)', async () => {
    const holder = spawn('flock', ['--shared', join(root, 'store.lock'), '-c', 'echo locked; read line'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    let pruned = false;
    const pruning = store.prune().then(() => (pruned = true));
    await sleep(300);
    expect(pruned).toBe(false);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.stdin.end('go\n');
    await exited;
    await pruning;
    expect(pruned).toBe(true);
  });
});
