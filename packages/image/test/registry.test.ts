import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageError, ImageStore, type ProgressEvent } from '../src';
import { type BuiltImage, type Blob, busyboxImage, imageBlobs, multiArchIndex, writeLayout } from './helpers/busybox-image';
import { type Proxy, type Running, type TokenServer, freePort, skopeoPush, startProxy, startRegistry, startTokenServer } from './helpers/registry';
import { scratchDir } from './helpers/scratch';
import { describeWithTools } from './helpers/tools';

describeWithTools(['skopeo', 'docker-registry', 'openssl'], 'registry pulls (docker-registry on 127.0.0.1)', () => {
  const tmp = scratchDir('registry');
  const layout = tmp.path('layout');
  let image: BuiltImage;
  let multi: { index: Blob; images: Record<string, BuiltImage> };
  let registry: Running;
  let tokenServer: TokenServer;
  let tokenRegistry: Running;
  const servers: Running[] = [];
  let stores = 0;
  const newStore = (opts: ConstructorParameters<typeof ImageStore>[0] = {}): ImageStore =>
    new ImageStore({ root: tmp.path(`store-${++stores}`), retry: { delayMs: 20 }, ...opts });
  const proxy = async (behaviour: Parameters<typeof startProxy>[1]): Promise<Proxy> => {
    const p = await startProxy(registry.port, behaviour);
    servers.push(p);
    return p;
  };

  beforeAll(async () => {
    image = await busyboxImage();
    multi = await multiArchIndex();
    const multiBlobs = Object.values(multi.images).flatMap(imageBlobs);
    writeLayout(layout, [...imageBlobs(image), multi.index, ...multiBlobs], [
      { blob: image.manifest, tag: '1' },
      { blob: multi.index, tag: 'multi' },
    ]);
    const storage = tmp.path('registry-storage');
    registry = await startRegistry(tmp.path('registry'), storage);
    await skopeoPush(`oci:${layout}:1`, registry.host, 'test/busybox:1');
    await skopeoPush(`oci:${layout}:multi`, registry.host, 'test/multi:1', { all: true });
    tokenServer = await startTokenServer(tmp.path('token'), 'alice', 's3cret');
    // a second registry process over the same storage, this one demanding bearer tokens
    tokenRegistry = await startRegistry(tmp.path('registry'), storage, tokenServer.auth);
    servers.push(registry, tokenServer, tokenRegistry);
  }, 120000);
  afterAll(async () => {
    for (const s of servers.reverse()) await s.stop();
    tmp.cleanup();
  });

  it('pulls by tag over plain http (127.0.0.1), verifying and caching each layer', async () => {
    const events: ProgressEvent[] = [];
    const store = newStore({ onProgress: (e) => events.push(e) });
    const record = await store.pull(`${registry.host}/test/busybox:1`);
    expect(record).toMatchObject({ digest: image.manifest.digest, configDigest: image.config.digest, names: [`${registry.host}/test/busybox:1`] });
    expect(record.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    for (const layer of image.layers) {
      const done = events.filter((e) => e.digest === layer.digest && e.done);
      expect(done).toEqual([{ kind: 'layer', digest: layer.digest, bytes: layer.size, total: layer.size, done: true }]);
    }
    const rootfs = await store.prepareRootfs(`${registry.host}/test/busybox:1`, { containerId: 'c', pull: 'never' });
    expect(readFileSync(join(rootfs.lowerDirs[0], 'home/app/hello.txt'), 'utf8')).toBe('hello from layer 2\n');
    expect(rootfs.defaults.entrypoint).toEqual(['/bin/sh', '-c']);
  });

  it('pulls by digest, and through prepareRootfs with docker://', async () => {
    const store = newStore();
    const byDigest = await store.pull(`${registry.host}/test/busybox@${image.manifest.digest}`);
    expect(byDigest.names).toEqual([`${registry.host}/test/busybox@${image.manifest.digest}`]);
    const rootfs = await store.prepareRootfs(`docker://${registry.host}/test/busybox:1`, { containerId: 'd', pull: 'always' });
    expect(rootfs.lowerDirs).toHaveLength(2);
    const [record] = await store.list();
    expect(record.names.sort()).toEqual([`${registry.host}/test/busybox:1`, `${registry.host}/test/busybox@${image.manifest.digest}`].sort());
  });

  it('picks linux/amd64 from a multi-arch index, or the configured platform', async () => {
    const amd = newStore();
    const record = await amd.pull(`${registry.host}/test/multi:1`);
    expect(record.digest).toBe(multi.images.amd64.manifest.digest);
    expect(record.indexDigest).toBe(multi.index.digest);
    const rootfs = await amd.prepareRootfs(`${registry.host}/test/multi:1`, { containerId: 'm' });
    expect(readFileSync(join(rootfs.lowerDirs[0], 'ARCH'), 'utf8')).toBe('amd64\n');

    const arm = newStore({ platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
    const armRecord = await arm.pull(`${registry.host}/test/multi:1`);
    expect(armRecord.platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    const armRootfs = await arm.prepareRootfs(`${registry.host}/test/multi:1`, { containerId: 'm' });
    expect(readFileSync(join(armRootfs.lowerDirs[0], 'ARCH'), 'utf8')).toBe('arm64\n');

    const perPull = await newStore().pull(`${registry.host}/test/multi:1`, { platform: { os: 'linux', architecture: 'arm64' } });
    expect(perPull.digest).toBe(multi.images.arm64.manifest.digest);

    await expect(newStore({ platform: { os: 'linux', architecture: 's390x' } }).pull(`${registry.host}/test/multi:1`)).rejects.toThrow(
      'no manifest for platform linux/s390x (index offers: linux/amd64, linux/arm64/v8)',
    );
  });

  it('pulls docker v2 schema2 manifests, manifest lists and rootfs.diff.tar.gzip layers', async () => {
    await skopeoPush(`oci:${layout}:1`, registry.host, 'test/docker:1', { format: 'v2s2' });
    await skopeoPush(`oci:${layout}:multi`, registry.host, 'test/docker-multi:1', { all: true, format: 'v2s2' });
    const store = newStore();
    const record = await store.pull(`${registry.host}/test/docker:1`);
    expect(record.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(record.layers.map((l) => l.mediaType)).toEqual(['application/vnd.docker.image.rootfs.diff.tar.gzip', 'application/vnd.docker.image.rootfs.diff.tar.gzip']);
    expect(record.layers.map((l) => l.diffId)).toEqual(image.layers.map((l) => l.diffId));
    const list = await store.pull(`${registry.host}/test/docker-multi:1`);
    expect(list.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(list.platform.architecture).toBe('amd64');
    const rootfs = await store.prepareRootfs(`${registry.host}/test/docker-multi:1`, { containerId: 'dm', pull: 'never' });
    expect(readFileSync(join(rootfs.lowerDirs[0], 'ARCH'), 'utf8')).toBe('amd64\n');
  });

  it('a missing tag is a clear error', async () => {
    await expect(newStore().pull(`${registry.host}/test/busybox:nope`)).rejects.toThrow(
      `image ${registry.host}/test/busybox:nope: GET manifests/nope answered 404 (not found): MANIFEST_UNKNOWN`,
    );
  });

  describe('token auth (distribution `auth: token` + our token server)', () => {
    it('gets a bearer token with the docker config credentials and pulls', async () => {
      const authFile = tmp.path('token-auth.json');
      writeFileSync(authFile, JSON.stringify({ auths: { [tokenRegistry.host]: { auth: Buffer.from('alice:s3cret').toString('base64') } } }));
      const before = tokenServer.requests.length;
      const record = await newStore({ authFile }).pull(`${tokenRegistry.host}/test/busybox:1`);
      expect(record.digest).toBe(image.manifest.digest);
      const seen = tokenServer.requests.slice(before);
      expect(seen.length).toBeGreaterThanOrEqual(1);
      const url = new URL(seen[0].url, 'http://x');
      expect(url.searchParams.get('scope')).toBe('repository:test/busybox:pull');
      expect(url.searchParams.get('service')).toBe('tincan-test-registry');
      expect(seen[0].authorization).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    });

    it('fails clearly without credentials', async () => {
      await expect(newStore({ authFile: tmp.path('no-such-config.json') }).pull(`${tokenRegistry.host}/test/busybox:1`)).rejects.toThrow(
        `token server http://${tokenServer.host} answered 401 (no credentials configured)`,
      );
    });
  });

  describe('basic auth (a proxy demanding it)', () => {
    const basic = `Basic ${Buffer.from('bob:pw').toString('base64')}`;
    it('sends the credentials of ~/.docker/config.json-style auths', async () => {
      const p = await proxy({ basicAuth: basic });
      const authFile = tmp.path('basic-auth.json');
      writeFileSync(authFile, JSON.stringify({ auths: { [`http://${p.host}/v2/`]: { auth: Buffer.from('bob:pw').toString('base64') } } }));
      const record = await newStore({ authFile }).pull(`${p.host}/test/busybox:1`);
      expect(record.digest).toBe(image.manifest.digest);
      expect(p.requests.filter((r) => r.url.includes('/blobs/')).every((r) => r.authorization === basic)).toBe(true);
    });

    it('names the missing or refused credentials', async () => {
      const p = await proxy({ basicAuth: basic });
      await expect(newStore({ authFile: tmp.path('none.json') }).pull(`${p.host}/test/busybox:1`)).rejects.toThrow(
        `registry ${p.host} requires authentication and ${tmp.path('none.json')} has no credentials for it`,
      );
      const wrong = tmp.path('wrong-auth.json');
      writeFileSync(wrong, JSON.stringify({ auths: { [p.host]: { username: 'bob', password: 'nope' } } }));
      await expect(newStore({ authFile: wrong }).pull(`${p.host}/test/busybox:1`)).rejects.toThrow('answered 401 (authentication failed): UNAUTHORIZED authentication required');
    });
  });

  it('retries 5xx answers with backoff', async () => {
    const logs: string[] = [];
    const p = await proxy({ failManifests: 2 });
    const record = await newStore({ log: (l) => logs.push(l) }).pull(`${p.host}/test/busybox:1`);
    expect(record.digest).toBe(image.manifest.digest);
    expect(p.requests.filter((r) => r.url.endsWith('/manifests/1'))).toHaveLength(3);
    expect(logs.filter((l) => l.includes(': 503, retrying'))).toHaveLength(2);
  });

  it('resumes a blob download cut mid-way with a Range request', async () => {
    const big = image.layers[0];
    const p = await proxy({ cutBlob: big.digest });
    const logs: string[] = [];
    const store = newStore({ log: (l) => logs.push(l) });
    const record = await store.pull(`${p.host}/test/busybox:1`);
    expect(record.layers[0].digest).toBe(big.digest);
    const gets = p.requests.filter((r) => r.url.endsWith(`/blobs/${big.digest}`));
    expect(gets).toHaveLength(2);
    expect(gets[0].range).toBeUndefined();
    const from = Number(/^bytes=(\d+)-$/.exec(gets[1].range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThan(big.size);
    expect(logs.some((l) => l.includes(`blob ${big.digest} interrupted at ${from}/${big.size} bytes`))).toBe(true);
    const rootfs = await store.prepareRootfs(`${p.host}/test/busybox:1`, { containerId: 'r', pull: 'never' });
    expect(readFileSync(join(rootfs.lowerDirs[1], 'bin/busybox')).length).toBeGreaterThan(100000);
  });

  it('starts over when the server ignores Range', async () => {
    const big = image.layers[0];
    const p = await proxy({ cutBlob: big.digest, ignoreRange: true });
    const record = await newStore().pull(`${p.host}/test/busybox:1`);
    expect(record.digest).toBe(image.manifest.digest);
    expect(p.requests.filter((r) => r.url.endsWith(`/blobs/${big.digest}`))).toHaveLength(2);
  });

  it('wraps network errors with the reference', async () => {
    const closed = await freePort();
    const err = await newStore({ retry: { attempts: 2, delayMs: 1 } }).pull(`127.0.0.1:${closed}/test/x:1`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageError);
    expect((err as Error).message).toBe(`image 127.0.0.1:${closed}/test/x:1: cannot reach http://127.0.0.1:${closed}/v2/test/x/manifests/1: fetch failed: ECONNREFUSED`);
  });
});
