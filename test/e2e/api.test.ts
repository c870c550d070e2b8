// The embedding API: start, pid, stdio streams, exit status, kill — and what a container leaves behind.
import { readFileSync, readlinkSync, openSync, writeSync, closeSync } from 'node:fs';
import { createRuntime, mountsPlugin, namespacesPlugin, rootfsPlugin, commandPlugin, SETUP_ORDER, type Plugin, type ContainerSpec } from '@tincan/runtime';
import { eventually, hostTraces, processesWith, ROOTFS, ROOTFS_TAR, tincanAsync } from './helpers';

function collect(stream: NodeJS.ReadableStream | null): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    stream?.on('data', (d: Buffer) => (out += d.toString()));
    stream?.on('end', () => resolve(out));
  });
}

const base = (command: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ rootfs: ROOTFS, command, stdio: 'pipe', ...extra });

describe('API', () => {
  afterEach(() => expect(hostTraces()).toEqual({ stateDirs: [], cgroups: [], mounts: [] }));

  it('starts a container, streams its stdio and reports its exit status', async () => {
    const c = await createRuntime().start(base(['sh', '-c', 'read x; echo "got $x"; echo err >&2; exit 3']));
    expect(c.pid).toBeGreaterThan(1);
    const out = collect(c.stdout);
    const err = collect(c.stderr);
    c.stdin?.end('hello\n');
    const r = await c.wait();
    expect(r).toEqual({ code: 3, signal: null, oomKilled: false });
    expect(await out).toBe('got hello\n');
    expect(await err).toBe('err\n');
  });

  it('runs many containers at once from one runtime, each with its own cgroup and state', async () => {
    const runtime = createRuntime();
    const results = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const c = await runtime.start(base(['sh', '-c', `echo ${i}; cat /proc/self/cgroup; sleep 0.2`]));
        const out = collect(c.stdout);
        return { code: (await c.wait()).code, out: await out };
      }),
    );
    expect(results.map((r) => r.code)).toEqual(Array(8).fill(0));
    expect(results.map((r) => r.out.split('\n')[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
  });

  it('kills a container; SIGKILL gives 137 and leaves nothing behind', async () => {
    // a unique duration, assembled inside so that only sleep's own command line contains it
    const tail = String(Date.now() % 1e6).padStart(6, '0');
    const marker = `9${tail}`;
    const c = await createRuntime().start(base(['sh', '-c', 'exec sleep 9$1', 'sh', tail]));
    await eventually(() => processesWith(marker).length === 1);
    c.kill('SIGKILL');
    expect(await c.wait()).toEqual({ code: 137, signal: 'SIGKILL', oomKilled: false });
    expect(processesWith(marker)).toEqual([]);
  });

  it('kills processes the container left running when its init dies', async () => {
    const tail = String((Date.now() + 1) % 1e6).padStart(6, '0');
    const marker = `8${tail}`;
    // the orphan's duration is assembled inside, so only its own command line contains the marker
    const c = await createRuntime().start(base(['sh', '-c', '(exec sleep 8$1) & sleep 100', 'sh', tail]));
    await eventually(() => processesWith(marker).length === 1);
    process.kill(c.pid, 'SIGKILL');
    await c.wait();
    expect(processesWith(marker)).toEqual([]);
  });

  it('reaps what a SIGKILLed owner left: its container dies with it, the next start removes cgroup, state and upper dir', async () => {
    const fs = require('node:fs');
    const dataDir = fs.mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'tincan-data-'));
    const script = `const { createRuntime } = require(${JSON.stringify(require.resolve('@tincan/runtime'))});
      createRuntime().start({ rootfs: ${JSON.stringify(ROOTFS_TAR)}, dataDir: ${JSON.stringify(dataDir)}, command: ['sleep', '100'], stdio: 'ignore' })
        .then((c) => console.log(c.pid));`;
    const owner = require('node:child_process').spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve) => owner.stdout.once('data', (d: Buffer) => resolve(Number(d.toString()))));
    owner.kill('SIGKILL');
    await eventually(() => !fs.existsSync(`/proc/${pid}`));
    const left = hostTraces();
    expect([left.stateDirs.length, left.cgroups.length, fs.readdirSync(`${dataDir}/containers`).length]).toEqual([1, 1, 1]);
    await createRuntime().run(base(['true']));
    expect(fs.readdirSync(`${dataDir}/containers`)).toEqual([]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('maps uid 0 inside to the configured host uid outside', async () => {
    const c = await createRuntime().start(base(['sh', '-c', 'id -u; cat /proc/self/uid_map; sleep 100'], { userns: [{ containerId: 0, hostId: 200000, size: 65536 }] }));
    let printed = '';
    c.stdout?.on('data', (d: Buffer) => (printed += d.toString()));
    await eventually(() => printed.split('\n').length > 2);
    expect(readFileSync(`/proc/${c.pid}/status`, 'utf8')).toMatch(/^Uid:\s+200000\s/m);
    expect(readFileSync(`/proc/${c.pid}/status`, 'utf8')).toMatch(/^Gid:\s+200000\s/m);
    c.kill('SIGKILL');
    await c.wait();
    expect(printed.split(/\s+/).filter(Boolean)).toEqual(['0', '0', '200000', '65536']);
  });

  it('id-maps the root into a user namespace: root-owned files are the container root\'s, on a directory and an image root', async () => {
    const dataDir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'tincan-data-'));
    for (const rootfs of [ROOTFS, ROOTFS_TAR]) {
      const c = await createRuntime().start(base(['sh', '-c', 'stat -c "%u:%g" /etc/passwd; touch /etc/written-by-userns && echo wrote; rm -f /etc/written-by-userns'], { rootfs, userns: 'auto', dataDir }));
      const out = collect(c.stdout);
      expect((await c.wait()).code).toBe(0);
      expect(await out).toBe('0:0\nwrote\n');
    }
    require('node:fs').rmSync(dataDir, { recursive: true, force: true });
  });

  it('allocates a free range with userns auto', async () => {
    const out: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await createRuntime().start(base(['cat', '/proc/self/uid_map'], { userns: 'auto' }));
      const o = collect(c.stdout);
      await c.wait();
      out.push((await o).trim());
    }
    for (const line of out) expect(line).toMatch(/^0\s+\d+\s+65536$/);
  });

  it('rejects a setup failure with a typed error and cleans up', async () => {
    await expect(createRuntime().start(base(['/no/such/binary']))).rejects.toMatchObject({ name: 'SetupError', code: 'ENOENT' });
  });

  it('protects its executable: during setup /proc/PID/exe is a sealed memfd that cannot be written', async () => {
    let exe = '';
    let writeError = '';
    const spy: Plugin = {
      name: 'exe-spy',
      attach(_ctx, pid) {
        exe = readlinkSync(`/proc/${pid}/exe`);
        try {
          const fd = openSync(`/proc/${pid}/exe`, 'r+');
          try {
            writeSync(fd, 'x');
          } finally {
            closeSync(fd);
          }
        } catch (e) {
          writeError = (e as NodeJS.ErrnoException).code ?? 'error';
        }
      },
    };
    const runtime = createRuntime().use(spy);
    const c = await runtime.start(base(['true']));
    await c.wait();
    expect(exe).toMatch(/^\/memfd:tincan-nsexec/);
    expect(writeError).toMatch(/^(EPERM|EACCES|ETXTBSY)$/);
  });

  it('forwards SIGTERM from the CLI to the container', async () => {
    const run = tincanAsync(['run', ROOTFS, 'sh', '-c', 'trap "echo term; exit 7" TERM; echo ready; while true; do sleep 0.05; done']);
    await eventually(() => run.output().includes('ready'));
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(7);
    expect(r.stdout).toContain('term');
  });
});

describe('plugin pipeline', () => {
  afterEach(() => expect(hostTraces()).toEqual({ stateDirs: [], cgroups: [], mounts: [] }));

  it('assembles a custom runtime from a subset: only pid + mount namespaces, and a plugin of our own', async () => {
    const seen: string[] = [];
    const custom: Plugin = {
      name: 'banner',
      prepare(ctx) {
        seen.push('prepare');
        ctx.program.add('mounts', { op: 'mkdir', path: '/tmp/from-plugin', mode: 0o755 });
      },
      attach(_ctx, pid) {
        seen.push(`attach ${pid > 0}`);
      },
      cleanup() {
        seen.push('cleanup');
      },
    };
    const runtime = createRuntime([rootfsPlugin(), namespacesPlugin(), mountsPlugin(), commandPlugin(), custom]);
    expect(runtime.pluginNames).toEqual(['rootfs', 'namespaces', 'mounts', 'command', 'banner']);
    const c = await runtime.start(base(['sh', '-c', 'echo $$; hostname; ls -d /tmp/from-plugin; grep -c . /proc/net/dev; grep Seccomp: /proc/self/status'], { namespaces: ['pid', 'mount'], cgroups: 'off' }));
    const out = collect(c.stdout);
    await c.wait();
    const [pid, host, dir, netLines, seccomp] = (await out).trim().split('\n');
    expect(pid).toBe('1');
    expect(host).toBe(require('node:os').hostname());
    expect(dir).toBe('/tmp/from-plugin');
    expect(Number(netLines)).toBe(readFileSync('/proc/net/dev', 'utf8').trim().split('\n').length);
    expect(seccomp).toMatch(/Seccomp:\s+0/);
    expect(seen).toEqual(['prepare', 'attach true', 'cleanup']);
  });

  it('adds, removes and replaces plugins by name', () => {
    const r = createRuntime();
    r.remove('seccomp').replace('hostname', { name: 'hostname' }).use({ name: 'first' }, { before: 'rootfs' });
    expect(r.pluginNames[0]).toBe('first');
    expect(r.pluginNames).not.toContain('seccomp');
    expect(() => r.remove('nope')).toThrow(/no plugin named "nope"/);
    expect(() => r.use({ name: 'first' })).toThrow(/already/);
  });

  it('emits container steps in SETUP_ORDER whatever order plugins add them', async () => {
    const phases: string[] = [];
    const reversed: Plugin = {
      name: 'reversed',
      prepare(ctx) {
        // added last-phase first: the pipeline must still run them in order
        ctx.program.add('hostname', { op: 'sethostname', name: 'ordered' });
        ctx.program.add('mounts', { op: 'mkdir', path: '/tmp/ordered', mode: 0o755 });
      },
    };
    const runtime = createRuntime().use(reversed, { before: 'rootfs' });
    await runtime.run(base(['true'], { onTrace: (t) => phases.push(t.phase) }));
    const order = [...new Set(phases.filter((p) => (SETUP_ORDER as readonly string[]).includes(p)))];
    expect(order).toEqual(SETUP_ORDER.filter((p) => order.includes(p)));
    expect(order).toEqual(['fds', 'rootfs', 'mounts', 'kernel_paths', 'pivot_root', 'hostname', 'user', 'no_new_privs', 'capabilities', 'cwd', 'seccomp', 'exec']);
  });
});
