// The escape classes across the configurations that change which defence holds: cgroups on and off,
// with and without --userns auto. Runs where it is started (this host: hybrid cgroups; the cgroup-v2
// VM: test/vm/escapes.test.ts) and prints one JSON line; layers.test.ts and the VM test assert on it.
// Each device check also runs on a mount *without* nodev that a test plugin adds, so that the device
// cgroup is shown to hold on its own where it is on (and, where it is off, that nodev is what holds).
// Usage: node test/escapes/layers.mjs [BLOCK_DEVICE [SCRATCH_DIR]]
//   BLOCK_DEVICE: a scratch block device whose first bytes it may overwrite (ext4 leaves them unused)
//   SCRATCH_DIR: where the rootfs copies go (default /tmp); its filesystem must support id-mapped mounts
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixture = join(repo, 'test/fixtures/out/rootfs');
const { createRuntime } = createRequire(import.meta.url)(join(repo, 'apps/tincan/dist/index.js'));
const MS_NOSUID = 0x2;
const blockDevice = process.argv[2];
const scratch = mkdtempSync(join(process.argv[3] ?? '/tmp', 'tincan-layers-'));
// a user-namespaced container's root must reach its volumes here
chmodSync(scratch, 0o755);
const marker = `layers-marker-${process.pid}`;
writeFileSync(join(scratch, 'marker'), marker);

function major(dev) { return Number((BigInt(dev) >> 8n) & 0xfffn); }
function minor(dev) { return Number((BigInt(dev) & 0xffn) | ((BigInt(dev) >> 12n) & ~0xffn)); }

/** A test plugin: a tmpfs at /devtest without nodev, to look at the device cgroup alone. */
const devtestPlugin = {
  name: 'devtest-mount',
  prepare(ctx) {
    ctx.program.add('mounts', { op: 'mount', source: 'tmpfs', target: '/devtest', fstype: 'tmpfs', flags: MS_NOSUID, data: 'mode=1777', paths: ['targetInRoot', 'mkdir'] });
  },
};

async function run(runtime, spec, script) {
  const c = await runtime.start({ ...spec, command: ['sh', '-c', `exec 2>&1; ${script}`], stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  c.stdout.on('data', (d) => (out += d));
  c.stderr.on('data', () => undefined);
  const status = await c.wait();
  return { code: status.code, out };
}

/** Which device nodes a container can open that it made itself, in /tmp (the root: nodev) and in /devtest (no nodev). */
function deviceScript(block) {
  // opening is the test (no read or write: nothing reaches the host's devices)
  const tries = [['userfaultfd', 'c', 10, 126], ['loop-control', 'c', 10, 237]];
  if (block) tries.push(['disk', 'b', block.major, block.minor]);
  return ['/tmp', '/devtest'].flatMap((dir) => tries.map(([name, type, ma, mi]) =>
    `mknod ${dir}/${name} ${type} ${ma} ${mi} 2>/dev/null; if (: < ${dir}/${name}) 2>/dev/null; then echo "open ${dir} ${name}"; fi`)).join('; ');
}

const result = { cgroup2: existsSync('/sys/fs/cgroup/cgroup.controllers') ? readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').trim() : 'hybrid', configs: [] };
let block;
if (blockDevice) {
  writeFileSync(blockDevice, marker);
  const rdev = statSync(blockDevice).rdev;
  block = { major: major(rdev), minor: minor(rdev) };
}

/** A private copy of the fixture: containers on a directory root write into it. */
function copyOf(name) {
  const dest = join(scratch, name);
  spawnSync('cp', ['-a', fixture, dest]);
  return dest;
}

for (const cgroups of ['on', 'off']) {
  for (const userns of ['host', 'auto']) {
    const base = { rootfs: copyOf(`rootfs-${cgroups}-${userns}`), cgroups, userns };
    const plain = createRuntime();
    const withDevtest = createRuntime().use(devtestPlugin, { after: 'mounts' });
    const r = { cgroups, userns };

    // class 4: device nodes made inside are never usable; /devtest shows which layer holds
    const dev = await run(withDevtest, base, deviceScript(block));
    r.devicesOpened = dev.out.split('\n').filter((l) => l.startsWith('open '));

    // class 1: no runtime fd reaches the command; a magic-link workdir is refused
    r.fds = (await run(plain, base, 'ls /proc/self/fd | tr "\\n" " "')).out.trim();
    const wd = [];
    for (let n = 3; n <= 10; n++) {
      try {
        wd.push((await run(plain, { ...base, workdir: `/proc/self/fd/${n}` }, `cat ../../../../../..${scratch}/marker 2>/dev/null; pwd`)).out.trim());
      } catch (e) {
        wd.push(`refused: ${e.message.split(':')[0]}`);
      }
    }
    r.workdirFd = wd;

    // class 2: a volume over /dev whose null is a symlink to core_pattern does not become /proc/keys
    const devdir = join(scratch, `dev-${cgroups}-${userns}`);
    mkdirSync(devdir);
    symlinkSync('/proc/sys/kernel/core_pattern', join(devdir, 'null'));
    const keys = await run(plain, { ...base, volumes: [{ source: devdir, target: '/dev' }] }, 'cat /proc/keys; echo; (echo x >> /proc/keys) 2>/dev/null && echo KEYS-WRITABLE');
    r.keysShowCorePattern = keys.out.includes(readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim()) && readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim() !== '';
    r.keysWritable = keys.out.includes('KEYS-WRITABLE');

    // class 6: a directory root under a user namespace: nothing the container writes lands on the host as root
    const copy = copyOf(`userns-root-${cgroups}-${userns}`);
    const before = new Set(readdirSync(copy));
    await run(plain, { ...base, rootfs: copy }, 'cp /bin/busybox /suid-shell && chmod 4755 /suid-shell; touch /new-file');
    r.newHostFiles = readdirSync(copy).filter((n) => !before.has(n));

    result.configs.push(r);
  }
}

// class 7: the container dies with a SIGKILLed owner, after a user switch too
const count = `ps -eo args | grep -c '^sleep 987654'`;
const owner = spawnSync('sh', ['-c', [
  `${process.execPath} ${join(repo, 'apps/tincan/bin/tincan')} run -u 1000 --userns auto ${copyOf('killed')} sleep 987654 & pid=$!`,
  `for i in $(seq 600); do [ "$(${count})" = 1 ] && break; sleep 0.1; done`,
  `${count}; kill -9 $pid; sleep 2; ${count}; true`,
].join('\n')], { encoding: 'utf8' });
const [started, survivors] = owner.stdout.trim().split('\n').map(Number);
result.ownerKill = { started, survivors };
// the next start reaps what the killed owner left (its cgroup, state dir and uid range)
await run(createRuntime(), { rootfs: copyOf('reaper'), cgroups: 'on' }, 'true');
result.leftoverCgroups = ['/sys/fs/cgroup/tincan', '/sys/fs/cgroup/unified/tincan'].filter(existsSync).flatMap((d) => readdirSync(d).filter((n) => n.startsWith('tincan-')));
rmSync(scratch, { recursive: true, force: true });
console.log(`RESULT ${JSON.stringify(result)}`);
