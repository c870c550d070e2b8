import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ImageStore } from '../src';
import { type BuiltImage, writeBusyboxLayout } from './helpers/busybox-image';
import { type Proxy, type Running, skopeoPush, startProxy, startRegistry } from './helpers/registry';
import { scratchDir } from './helpers/scratch';
import { describeWithTools } from './helpers/tools';

const SRC = resolve(__dirname, '../src');
const REGISTER_TS = resolve(__dirname, 'helpers/register-ts.cjs');

/** `node -e` running one pull of this package's sources: a second, independent Node process. */
function pullInChild(root: string, ref: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `
    const { ImageStore } = require(process.argv[1]);
    new ImageStore({ root: process.argv[2] }).pull(process.argv[3]).then(
      (r) => console.log(r.digest),
      (e) => { console.error(e.stack); process.exit(1); });`;
  const child = spawn(process.execPath, ['-r', REGISTER_TS, '-e', script, SRC, root, ref], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

/** Every blob file hashes to its name, and tmp/ holds nothing. */
function assertStoreConsistent(root: string): void {
  for (const name of readdirSync(join(root, 'blobs/sha256'))) {
    expect(createHash('sha256').update(readFileSync(join(root, 'blobs/sha256', name))).digest('hex')).toBe(name);
  }
  expect(readdirSync(join(root, 'tmp'))).toEqual([]);
}

describeWithTools(['skopeo', 'docker-registry'], 'concurrent pulls of one image', () => {
  const tmp = scratchDir('concurrency');
  let image: BuiltImage;
  let registry: Running;
  let proxy: Proxy;
  beforeAll(async () => {
    image = await writeBusyboxLayout(tmp.path('layout'), '1');
    registry = await startRegistry(tmp.path('registry'), tmp.path('registry-storage'));
    await skopeoPush(`oci:${tmp.path('layout')}:1`, registry.host, 'test/busybox:1');
  }, 120000);
  beforeEach(async () => {
    proxy = await startProxy(registry.port);
  });
  afterEach(() => proxy.stop());
  afterAll(async () => {
    await registry.stop();
    tmp.cleanup();
  });

  it('two Node processes pulling into one store both succeed, and each layer is fetched once', async () => {
    const root = tmp.path('store-procs');
    const ref = `${proxy.host}/test/busybox:1`;
    const results = await Promise.all([pullInChild(root, ref), pullInChild(root, ref)]);
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r).toMatchObject({ code: 0, stdout: `${image.manifest.digest}\n` });
    }
    // the per-manifest lock made the second process wait and then find the layers in place
    for (const layer of image.layers) expect(proxy.requests.filter((r) => r.url.endsWith(`/blobs/${layer.digest}`))).toHaveLength(1);
    const records = await new ImageStore({ root }).list();
    expect(records.map((r) => [r.digest, r.names])).toEqual([[image.manifest.digest, [ref]]]);
    expect(readdirSync(join(root, 'layers')).sort()).toEqual(image.layers.map((l) => l.diffId.slice(7)).sort());
    assertStoreConsistent(root);
  });

  it('concurrent pulls and prepares within one process share the work too', async () => {
    const root = tmp.path('store-inproc');
    const ref = `${proxy.host}/test/busybox:1`;
    const store = new ImageStore({ root });
    const [a, b, rootfs] = await Promise.all([store.pull(ref), new ImageStore({ root }).pull(ref), store.prepareRootfs(ref, { containerId: 'x' })]);
    expect(a.digest).toBe(b.digest);
    expect(rootfs.lowerDirs).toHaveLength(2);
    for (const layer of image.layers) expect(proxy.requests.filter((r) => r.url.endsWith(`/blobs/${layer.digest}`))).toHaveLength(1);
    expect(await store.list()).toHaveLength(1);
    assertStoreConsistent(root);
  });
});
