import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ImageStore, type RuntimeSpec } from '../src';
import { writeBusyboxLayout } from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';
import { describeWithTools, run } from './helpers/tools';

const execFileP = promisify(execFile);

/** Every entry of a tree with the metadata an unpacker must get right (not times). */
function tree(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel)).sort().flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(root, path));
    const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? `link->${readlinkSync(join(root, path))}` : st.isFile() ? `file:${st.size}` : 'other';
    const line = `${path} ${kind} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`;
    return st.isDirectory() ? [line, ...tree(root, path)] : [line];
  });
}

describe('unpack (umoci-style bundle)', () => {
  const tmp = scratchDir('unpack');
  const layout = tmp.path('layout');
  beforeAll(() => writeBusyboxLayout(layout, '1'));
  afterAll(() => tmp.cleanup());

  it('writes rootfs/ and an OCI runtime config.json built from the image config', async () => {
    const store = new ImageStore({ root: tmp.path('store') });
    const bundle = tmp.path('bundle');
    await store.unpack(`oci:${layout}:1`, bundle);
    const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as RuntimeSpec;
    expect(spec.process).toMatchObject({
      args: ['/bin/sh', '-c', 'echo hello'],
      env: ['PATH=/bin', 'GREETING=hi', 'HOME=/home/app'],
      cwd: '/home/app',
      user: { uid: 1000, gid: 1000, additionalGids: [50, 10] },
      noNewPrivileges: true,
    });
    expect(spec.root).toEqual({ path: 'rootfs', readonly: false });
    expect(spec.mounts.map((m) => m.destination)).toEqual(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']);
    expect(spec.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'network', 'ipc', 'uts', 'mount']);
    expect(spec.annotations).toEqual({
      'org.example.test': 'yes',
      'org.opencontainers.image.os': 'linux',
      'org.opencontainers.image.architecture': 'amd64',
      'org.opencontainers.image.created': '2024-01-01T00:00:00.000Z',
      'org.opencontainers.image.exposedPorts': '8080/tcp',
    });
    expect(readdirSync(join(bundle, 'rootfs')).sort()).toEqual(['bin', 'etc', 'home', 'opt', 'root', 'tmp']);
    expect(readdirSync(join(bundle, 'rootfs/opt'))).toEqual(['new.txt']);
    expect(readdirSync(join(bundle, 'rootfs/etc')).sort()).toEqual(['group', 'passwd']);
    // the default also fills the layer cache, so a later prepareRootfs is instant
    expect(readdirSync(tmp.path('store', 'layers'))).toHaveLength(2);
  });

  it('noCache extracts from the blobs without touching the layer cache', async () => {
    const root = tmp.path('store-nocache');
    const store = new ImageStore({ root });
    await store.unpack(`oci:${layout}:1`, tmp.path('bundle-nocache'), { noCache: true });
    expect(readdirSync(join(root, 'layers'))).toEqual([]);
    expect(readdirSync(join(root, 'blobs/sha256'))).toHaveLength(4);
    expect(tree(tmp.path('bundle-nocache', 'rootfs'))).toEqual(tree(tmp.path('bundle', 'rootfs')));
  });

  it('refuses a bundle whose rootfs already has files', async () => {
    const bundle = tmp.path('bundle-used');
    mkdirSync(join(bundle, 'rootfs'), { recursive: true });
    writeFileSync(join(bundle, 'rootfs', 'x'), '');
    await expect(new ImageStore({ root: tmp.path('store') }).unpack(`oci:${layout}:1`, bundle)).rejects.toThrow('bundle rootfs is not empty');
  });

  describeWithTools(['umoci'], 'against umoci', () => {
    it('extracts the same tree as `umoci unpack`', async () => {
      const theirs = tmp.path('umoci-bundle');
      await run('umoci', ['unpack', '--image', `${layout}:1`, theirs]);
      expect(tree(tmp.path('bundle', 'rootfs'))).toEqual(tree(join(theirs, 'rootfs')));
      const umoci = JSON.parse(readFileSync(join(theirs, 'config.json'), 'utf8')) as RuntimeSpec;
      const ours = JSON.parse(readFileSync(tmp.path('bundle', 'config.json'), 'utf8')) as RuntimeSpec;
      expect(ours.process.user).toEqual(umoci.process.user);
      expect(ours.process.args).toEqual(umoci.process.args);
      expect(ours.process.cwd).toEqual(umoci.process.cwd);
      expect(ours.process.env.sort()).toEqual(umoci.process.env.filter((e) => e !== 'TERM=xterm').sort());
    });
  });

  describeWithTools(['runc'], 'with runc', () => {
    it('the bundle runs under runc as the image user', async () => {
      const bundle = tmp.path('bundle');
      const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as RuntimeSpec;
      spec.process.args = ['/bin/sh', '-c', 'id -u; id -G; pwd; echo $GREETING; cat /home/app/hello.txt'];
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      const id = `tincan-image-test-${process.pid}`;
      const { stdout } = await execFileP('runc', ['--root', tmp.path('runc-state'), 'run', '--bundle', bundle, id]);
      expect(stdout).toBe('1000\n1000 10 50\n/home/app\nhi\nhello from layer 2\n');
    });
  });
});
