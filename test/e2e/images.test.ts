// Images to container roots, end to end through the CLI: a real docker-registry on 127.0.0.1, a
// two-layer OCI image built from the fixture rootfs, archives made by skopeo, bundles run by runc.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freePort, type Running, startRegistry } from '../../packages/image/test/helpers/registry';
import { describeWithTools } from '../../packages/image/test/helpers/tools';
import { hostTraces, tincan, TINCAN } from './helpers';
import { type AppImage, buildAppImage, HELLO, IMAGE_TAG, skopeo } from './image-helpers';

const DEFAULT_OUTPUT = 'hi from /app as 1000:1000\nls: /deleted-file: No such file or directory\n';
// the default command ends with `ls` of the whited-out file, so it exits 1
const DEFAULT_EXIT = 1;
const ESCAPE = '\x1b';

const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

describeWithTools(['docker-registry', 'skopeo', 'runc', 'tar'], 'tincan images: OCI and docker images to container roots', () => {
  const work = mkdtempSync(join(tmpdir(), 'tincan-e2e-images-'));
  const dataDir = join(work, 'data');
  let image: AppImage;
  let registry: Running;
  let ref: string;
  let dataDirs = 0;
  /** A data dir of its own, for tests that look at what the store holds. */
  const freshDataDir = (): string => join(work, `data-${++dataDirs}`);
  const cli = (args: string[], dir = dataDir) => tincan([args[0] as string, '--data-dir', dir, ...args.slice(1)]);
  const run = (args: string[], dir = dataDir) => cli(['run', ...args], dir);

  beforeAll(async () => {
    image = buildAppImage(work);
    registry = await startRegistry(join(work, 'registry'), join(work, 'registry-storage'));
    ref = `${registry.host}/e2e/app:1`;
    skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci:${image.layout}:${IMAGE_TAG}`, `docker://${ref}`]);
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(hostTraces()).toEqual({ stateDirs: [], cgroups: [], mounts: [] });
    expect(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(work))).toEqual([]);
    for (const d of [dataDir, ...Array.from({ length: dataDirs }, (_, i) => join(work, `data-${i + 1}`))]) expect(entries(join(d, 'containers'))).toEqual([]);
  });

  describe('pull and run from the registry', () => {
    beforeAll(() => {
      const pulled = cli(['pull', '-q', ref]);
      if (pulled.code !== 0) throw new Error(`tincan pull ${ref} failed: ${pulled.stderr}`);
    });

    it('pulls over plain http, prints the manifest digest, and lists the image', () => {
      const dir = freshDataDir();
      const r = cli(['pull', ref], dir);
      expect(r).toMatchObject({ code: 0, stdout: `${image.manifestDigest}\n` });
      const images = cli(['images'], dir);
      expect(images.code).toBe(0);
      expect(images.stdout).toMatch(new RegExp(`^${ref.replace(/[.:/]/g, '\\$&')}\\s+${image.manifestDigest.slice(0, 19)}\\s`, 'm'));
    });

    it('shows the image defaults with inspect', () => {
      const r = cli(['inspect', ref]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ entrypoint: ['/bin/sh', '-c'], env: ['GREETING=hi', 'PATH=/bin'], workingDir: '/app', user: 'app' });
    });

    it('runs the image with its Entrypoint, Cmd, Env, WorkingDir and User; the whiteout hides the lower file', () => {
      expect(run([ref])).toMatchObject({ code: DEFAULT_EXIT, stdout: DEFAULT_OUTPUT, stderr: '' });
    });

    it('lets -e, -w, -u and a given command override the defaults', () => {
      expect(run(['-e', 'GREETING=yo', ref]).stdout).toBe(DEFAULT_OUTPUT.replace('hi', 'yo'));
      expect(run(['-w', '/tmp', ref]).stdout).toBe(DEFAULT_OUTPUT.replace('/app', '/tmp'));
      expect(run(['-u', '0', ref]).stdout).toBe(DEFAULT_OUTPUT.replace('1000:1000', '0:0'));
      // a given command replaces Cmd only: the Entrypoint (sh -c) runs it
      expect(run([ref, '/app/hello.sh'])).toMatchObject({ code: 0, stdout: `${HELLO}\n` });
      expect(run([ref, 'echo $PATH; cat /etc/fixture-release'])).toMatchObject({ code: 0, stdout: '/bin\ntincan-fixture\n' });
    });

    it('sets HOME from the image user\'s passwd entry', () => {
      expect(run([ref, 'echo $HOME']).stdout).toBe('/home/app\n');
      expect(run(['-u', 'root', ref, 'echo $HOME']).stdout).toBe('/root\n');
    });

    it('runs on an overlay root: writes go to a per-container upper dir, and nothing is left behind', () => {
      const r = run(['-u', '0', ref, 'cat /proc/self/mountinfo; echo changed > /app/hello.sh; rm /etc/fixture-release']);
      expect(r.code).toBe(0);
      const root = r.stdout.split('\n').map((l) => l.split(' ')).find((f) => f[4] === '/');
      expect(root?.[root.indexOf('-') + 1]).toBe('overlay');
      // the next container starts from the image again
      expect(run([ref, 'cat /app/hello.sh /etc/fixture-release'])).toMatchObject({ code: 0, stdout: `#!/bin/sh\necho ${HELLO}\ntincan-fixture\n` });
    });

    it('mounts an image root read-only with --read-only', () => {
      const r = run(['--read-only', '-u', '0', ref, 'touch /app/new 2>&1; grep " / / " /proc/self/mountinfo']);
      expect(r.stdout).toMatch(/^touch: \/app\/new: Read-only file system\n/);
      expect(r.stdout).toMatch(/ \/ \/ ro[, ].* - overlay /);
    });
  });

  describe('local images', () => {
    it('imports an oci-archive made by skopeo and runs it by the given name', () => {
      const archive = join(work, 'app.oci.tar');
      skopeo(['copy', '--quiet', `oci:${image.layout}:${IMAGE_TAG}`, `oci-archive:${archive}:${IMAGE_TAG}`]);
      expect(cli(['import', '-q', archive, 'archived/app:oci'])).toMatchObject({ code: 0, stdout: `${image.manifestDigest}\n` });
      expect(run(['archived/app:oci'])).toMatchObject({ code: DEFAULT_EXIT, stdout: DEFAULT_OUTPUT });
    });

    it('imports a docker-archive made by skopeo under the name it carries and runs it', () => {
      const archive = join(work, 'app.docker.tar');
      skopeo(['copy', '--quiet', `oci:${image.layout}:${IMAGE_TAG}`, `docker-archive:${archive}:e2e/docker-app:1`]);
      const dir = freshDataDir();
      const r = cli(['import', '-q', archive], dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
      expect(cli(['images'], dir).stdout).toMatch(/^docker\.io\/e2e\/docker-app:1 /m);
      expect(run(['e2e/docker-app:1'], dir)).toMatchObject({ code: DEFAULT_EXIT, stdout: DEFAULT_OUTPUT });
    });

    it('runs an OCI layout directly with oci:DIR:TAG', () => {
      expect(run([`oci:${image.layout}:${IMAGE_TAG}`])).toMatchObject({ code: DEFAULT_EXIT, stdout: DEFAULT_OUTPUT });
    });
  });

  describe('unpack to an OCI bundle', () => {
    /** runc run of the bundle with /bin/true and no terminal; returns runc's result. */
    function runcTrue(bundle: string) {
      const configPath = join(bundle, 'config.json');
      const config = JSON.parse(readFileSync(configPath, 'utf8')) as { process: { terminal: boolean; args: string[] } };
      config.process.terminal = false;
      config.process.args = ['/bin/true'];
      writeFileSync(configPath, JSON.stringify(config));
      return spawnSync('runc', ['run', '-b', bundle, `tincan-e2e-${process.pid}-${basename(bundle)}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    }

    function expectBundle(bundle: string): void {
      expect(readFileSync(join(bundle, 'rootfs', 'app', 'hello.sh'), 'utf8')).toBe(`#!/bin/sh\necho ${HELLO}\n`);
      expect(existsSync(join(bundle, 'rootfs', 'deleted-file'))).toBe(false);
      expect(readdirSync(join(bundle, 'rootfs')).filter((n) => n.startsWith('.wh.'))).toEqual([]);
      const config = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
      expect(config.process).toMatchObject({ user: { uid: 1000, gid: 1000 }, cwd: '/app', args: ['/bin/sh', '-c', expect.stringContaining('echo $GREETING')] });
      expect(config.process.env).toEqual(expect.arrayContaining(['GREETING=hi', 'PATH=/bin']));
      expect(config.root).toEqual({ path: 'rootfs', readonly: false });
    }

    it('writes DIR/rootfs and DIR/config.json that runc runs, caching the layers', () => {
      const dir = freshDataDir();
      const bundle = join(work, 'bundle-cached');
      expect(cli(['unpack', '-q', ref, bundle], dir)).toMatchObject({ code: 0, stderr: '' });
      expectBundle(bundle);
      expect(entries(join(dir, 'layers'))).toEqual(image.diffIds.map((d) => d.slice('sha256:'.length)).sort());
      const runc = runcTrue(bundle);
      expect({ status: runc.status, stderr: runc.stderr }).toEqual({ status: 0, stderr: '' });
    });

    it('with --no-cache leaves the layer cache untouched', () => {
      const dir = freshDataDir();
      const bundle = join(work, 'bundle-no-cache');
      const before = entries(join(dir, 'layers'));
      expect(cli(['unpack', '--no-cache', '-q', ref, bundle], dir)).toMatchObject({ code: 0, stderr: '' });
      expect(entries(join(dir, 'layers'))).toEqual(before);
      expectBundle(bundle);
      const runc = runcTrue(bundle);
      expect({ status: runc.status, stderr: runc.stderr }).toEqual({ status: 0, stderr: '' });
    });
  });

  describe('removing images', () => {
    it('rmi untags the image, then prune removes its blobs and layers', () => {
      const dir = freshDataDir();
      expect(cli(['pull', '-q', ref], dir).code).toBe(0);
      // manifest, config and two layer blobs; two unpacked layers
      expect(entries(join(dir, 'blobs', 'sha256'))).toHaveLength(4);
      expect(entries(join(dir, 'layers'))).toHaveLength(2);
      expect(cli(['rmi', ref], dir)).toMatchObject({ code: 0, stderr: '' });
      expect(cli(['images'], dir).stdout).not.toContain(ref);
      const pruned = cli(['prune'], dir);
      expect(pruned.code).toBe(0);
      expect(pruned.stdout).toMatch(/^removed 4 blobs, 2 layers, /);
      expect(entries(join(dir, 'blobs', 'sha256'))).toEqual([]);
      expect(entries(join(dir, 'layers'))).toEqual([]);
      expect(cli(['rmi', ref], dir)).toMatchObject({ code: 125, stderr: expect.stringContaining(ref) });
    });
  });

  describe('errors name the problem', () => {
    it('pulling a tag the registry does not have', () => {
      const missing = `${registry.host}/e2e/app:missing`;
      const r = cli(['pull', '-q', missing], freshDataDir());
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(missing);
      expect(r.stderr).toMatch(/not found|unknown|404/i);
    });

    it('pulling from a registry that is not there (connection refused)', async () => {
      const closed = `127.0.0.1:${await freePort()}/e2e/app:1`;
      const r = cli(['pull', '-q', closed], freshDataDir());
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(closed);
      expect(r.stderr).toMatch(/ECONNREFUSED|connection refused/i);
    });

    it('running an image that is neither stored nor in the registry', () => {
      const unknown = `${registry.host}/e2e/unknown:1`;
      const r = run([unknown], freshDataDir());
      expect(r.code).toBe(125);
      expect(r.stderr).toContain(unknown);
    });
  });

  describe('progress output', () => {
    it('prints nothing on stderr with --quiet', () => {
      expect(cli(['pull', '--quiet', ref], freshDataDir())).toMatchObject({ code: 0, stderr: '' });
    });

    it('prints plain lines, without escape codes, when stderr is not a terminal', () => {
      const r = cli(['pull', ref], freshDataDir());
      expect(r.code).toBe(0);
      expect(r.stderr).not.toContain(ESCAPE);
      const lines = r.stderr.trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const l of lines) expect(l).toMatch(/^layer sha256:[0-9a-f]{12}: (\d+\.\d MB|done)$/);
    });

    describeWithTools(['script'], 'on a terminal', () => {
      it('draws progress bars', () => {
        const dir = freshDataDir();
        mkdirSync(dir);
        // script(1) gives the CLI a pseudo-terminal; its output is what the terminal shows
        const command = [process.execPath, TINCAN, 'pull', '--data-dir', dir, ref].join(' ');
        const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
        expect(r.status).toBe(0);
        expect(r.stdout).toContain(ESCAPE);
        expect(r.stdout).toMatch(/\|[█░]+\| 100%/);
        expect(r.stdout).toContain(image.manifestDigest);
      });
    });
  });
});
