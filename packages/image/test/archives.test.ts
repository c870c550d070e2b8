import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ImageStore } from '../src';
import {
  type BuiltImage, type TarFile, appLayerFiles, baseLayerFiles, imageBlobs, makeImage, makeLayer, makeTar, writeBusyboxLayout,
} from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';
import { describeWithTools, run } from './helpers/tools';

/** A tar holding every blob as blobs/sha256/<hex>, plus `extra` entries. */
function blobEntries(image: BuiltImage): TarFile[] {
  return [{ name: 'blobs/', type: 'directory' }, { name: 'blobs/sha256/', type: 'directory' }, ...imageBlobs(image).map((b) => ({ name: `blobs/sha256/${b.digest.slice(7)}`, content: b.bytes }))];
}

function storeDirsEmpty(root: string): boolean {
  return ['blobs/sha256', 'layers', 'tmp'].every((d) => !existsSync(join(root, d)) || readdirSync(join(root, d)).length === 0);
}

describeWithTools(['skopeo'], 'archives made by skopeo', () => {
  const tmp = scratchDir('archives');
  const layout = tmp.path('layout');
  const ociArchive = tmp.path('busybox-oci.tar');
  const dockerArchive = tmp.path('busybox-docker.tar');
  let image: BuiltImage;
  beforeAll(async () => {
    image = await writeBusyboxLayout(layout, '1');
    await run('skopeo', ['copy', '--quiet', `oci:${layout}:1`, `oci-archive:${ociArchive}:1`]);
    await run('skopeo', ['copy', '--quiet', `oci:${layout}:1`, `docker-archive:${dockerArchive}:test/busybox:1`]);
  });
  afterAll(() => tmp.cleanup());

  it('oci-archive: streams the tar, verifies blobs, and prepares the same layers as the layout', async () => {
    const store = new ImageStore({ root: tmp.path('s1') });
    const fromLayout = await store.prepareRootfs(`oci:${layout}:1`, { containerId: 'a' });
    const fromArchive = await store.prepareRootfs(`oci-archive:${ociArchive}:1`, { containerId: 'b' });
    expect(fromArchive.lowerDirs).toEqual(fromLayout.lowerDirs);
    expect(fromArchive.defaults.user).toBe('app');
    expect(await fromArchive.resolveUser('app')).toEqual({ uid: 1000, gid: 1000, additionalGids: [50, 10], home: '/home/app' });
    // staging of the archive is gone once the image is in the store
    expect(readdirSync(tmp.path('s1', 'tmp'))).toEqual([]);
  });

  it('oci-archive and docker-archive are detected by import() without a transport', async () => {
    const store = new ImageStore({ root: tmp.path('s2') });
    const oci = await store.import(ociArchive, 'example.com/busybox:oci');
    const docker = await store.import(dockerArchive);
    expect(oci.configDigest).toBe(image.config.digest);
    expect(docker.configDigest).toBe(image.config.digest);
    expect(docker.names).toEqual(['docker.io/test/busybox:1']);
    expect(docker.layers.map((l) => l.diffId)).toEqual(image.layers.map((l) => l.diffId));
    // docker archives carry uncompressed layers: their digest is their diffId
    expect(docker.layers.map((l) => l.digest)).toEqual(image.layers.map((l) => l.diffId));
    expect((await store.list()).map((r) => r.names).sort()).toEqual([['docker.io/test/busybox:1'], ['example.com/busybox:oci']]);
  });

  it('docker-archive (skopeo: legacy <id>/layer.tar symlinks) selects the image by its RepoTag', async () => {
    const store = new ImageStore({ root: tmp.path('s3') });
    const rootfs = await store.prepareRootfs(`docker-archive:${dockerArchive}:test/busybox:1`, { containerId: 'd' });
    expect(rootfs.lowerDirs).toHaveLength(2);
    expect(readFileSync(join(rootfs.lowerDirs[0], 'home/app/hello.txt'), 'utf8')).toBe('hello from layer 2\n');
    expect(rootfs.defaults.cmd).toEqual(['echo hello']);
    await expect(store.prepareRootfs(`docker-archive:${dockerArchive}:test/other:1`, { containerId: 'e' })).rejects.toThrow(
      'archive has no image docker.io/test/other:1 (tags: "docker.io/test/busybox:1")',
    );
  });

  it('reads a gzip-compressed docker save', async () => {
    const gz = tmp.path('busybox-docker.tar.gz');
    writeFileSync(gz, gzipSync(readFileSync(dockerArchive)));
    const record = await new ImageStore({ root: tmp.path('s4') }).import(`docker-archive:${gz}`);
    expect(record.configDigest).toBe(image.config.digest);
  });
});

describe('archives built by hand', () => {
  const tmp = scratchDir('archives-hand');
  afterAll(() => tmp.cleanup());

  it('docker-archive in the blobs/sha256 layout of newer docker', async () => {
    const image = makeImage([await makeLayer(baseLayerFiles(), 'none'), await makeLayer(appLayerFiles(), 'none')]);
    const manifest = [{ Config: `blobs/sha256/${image.config.digest.slice(7)}`, RepoTags: ['busybox:new'], Layers: image.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) }];
    const file = tmp.path('new-docker.tar');
    writeFileSync(file, await makeTar([...blobEntries(image), { name: 'manifest.json', content: JSON.stringify(manifest) }]));
    const store = new ImageStore({ root: tmp.path('s1') });
    const record = await store.import(`docker-archive:${file}`);
    expect(record.names).toEqual(['docker.io/library/busybox:new']);
    expect(record.layers.map((l) => l.mediaType)).toEqual(['application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.v1.tar']);
    const rootfs = await store.prepareRootfs('busybox:new', { containerId: 'n', pull: 'never' });
    expect(await rootfs.resolveUser('app:staff')).toEqual({ uid: 1000, gid: 50, additionalGids: [10], home: '/home/app' });
  });

  it('never writes an archive entry by its name (../ entries are inert)', async () => {
    const image = makeImage([await makeLayer(baseLayerFiles())]);
    const index = { schemaVersion: 2, manifests: [{ mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.size, annotations: { 'org.opencontainers.image.ref.name': 'x' } }] };
    const file = tmp.path('evil.tar');
    writeFileSync(file, await makeTar([
      { name: '../escape.txt', content: 'outside' },
      { name: '/abs-escape.txt', content: 'outside' },
      { name: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
      { name: 'index.json', content: JSON.stringify(index) },
      ...blobEntries(image),
    ]));
    const record = await new ImageStore({ root: tmp.path('s2') }).import(`oci-archive:${file}:x`);
    expect(record.digest).toBe(image.manifest.digest);
    expect(existsSync(tmp.path('escape.txt'))).toBe(false);
    expect(existsSync('/abs-escape.txt')).toBe(false);
  });

  it('an oci-archive blob that does not hash to its name fails and leaves the store empty', async () => {
    const image = makeImage([await makeLayer(baseLayerFiles())]);
    const layer = image.layers[0];
    const index = { schemaVersion: 2, manifests: [{ mediaType: image.manifest.mediaType, digest: image.manifest.digest, size: image.manifest.size }] };
    const entries = blobEntries(image).map((e) => (e.name === `blobs/sha256/${layer.digest.slice(7)}` ? { ...e, content: Buffer.concat([layer.bytes, Buffer.from('x')]) } : e));
    const file = tmp.path('corrupt.tar');
    writeFileSync(file, await makeTar([{ name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' }, { name: 'index.json', content: JSON.stringify(index) }, ...entries]));
    const root = tmp.path('s3');
    await expect(new ImageStore({ root }).import(`oci-archive:${file}`)).rejects.toThrow(
      `image oci-archive:${file}, blob ${layer.digest}, entry blobs/sha256/${layer.digest.slice(7)}: blob digest mismatch: expected ${layer.digest}, got sha256:`,
    );
    expect(storeDirsEmpty(root)).toBe(true);
  });
});
