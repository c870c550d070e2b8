// Class 1 (CVE-2024-21626, runc "Leaky Vessels"): an fd of the runtime that is still open when the
// working directory is entered. `-w /proc/self/fd/N` makes the command's cwd a host directory (the
// container's cgroup dir, opened for CLONE_INTO_CGROUP), and `..` from there walks the host tree up to
// its root. The workdir has to exist inside the root for the runtime to get that far, which an
// ordinary flag (--userns auto --net host, a read-only bind of /sys/fs/cgroup) or the image (/sys a
// symlink into a tmpfs or a volume) arranges. The attack reads a host marker by a relative path.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { cliMany, copyRootfs, expectClean, hostMarker, removeScratch, scratch, type HostMarker } from './helpers';

const FDS = Array.from({ length: 18 }, (_, i) => i + 3);

describe('escape class 1: a leaked runtime fd as the working directory (CVE-2024-21626)', () => {
  let marker: HostMarker;
  let base: string;
  /** /sys → /tmp/sys: the workdir's mkdir -p then succeeds in the container's --tmpfs /tmp */
  let sysInTmpfs: string;
  /** /sys → /data/sys: the same in a volume */
  let sysInVolume: string;
  let volume: string;
  /** a plain copy: resolving -w /proc/self/fd/N creates the link's target path inside the root */
  let plain: string;

  beforeAll(() => {
    marker = hostMarker();
    base = scratch();
    plain = copyRootfs(join(base, 'plain'));
    // a workdir that climbs out with ..
    symlinkSync('../../..', join(plain, 'up'));
    sysInTmpfs = copyRootfs(join(base, 'sys-in-tmpfs'));
    rmSync(join(sysInTmpfs, 'sys'), { recursive: true });
    symlinkSync('/tmp/sys', join(sysInTmpfs, 'sys'));
    sysInVolume = copyRootfs(join(base, 'sys-in-volume'));
    rmSync(join(sysInVolume, 'sys'), { recursive: true });
    symlinkSync('/data/sys', join(sysInVolume, 'sys'));
    volume = join(base, 'volume');
    mkdirSync(volume);
    // workdirs that are symlinks to the leaked fd
    for (const image of [plain, sysInTmpfs]) for (const n of FDS) symlinkSync(`/proc/self/fd/${n}`, join(image, `wd${n}`));
  });

  afterAll(() => removeScratch(marker.dir, base));
  afterEach(() => expectClean(base, marker.dir));

  /**
   * From the cwd the runtime gave, climb far enough to pass the host root, read the marker by a path
   * relative to it, and show where the climb ended: inside the root it is the container's /, whose
   * /etc/fixture-release the host does not have.
   */
  const attack = () => `cd ../../../../../../../../../..; cat ${marker.file.slice(1)} 2>&1; cat etc/fixture-release`;

  async function attackEachFd(rootfs: string, flags: string[], workdir: (fd: number) => string) {
    const results = await cliMany(FDS.map((n) => ['run', ...flags, '-w', workdir(n), rootfs, 'sh', '-c', attack()]));
    return results.map((r, i) => ({ fd: FDS[i], ...r }));
  }

  /** A run escaped if it read the marker; a run that started must have stayed in its root. */
  function expectContained(results: Awaited<ReturnType<typeof attackEachFd>>) {
    const escaped = results.filter((r) => r.stdout.includes(marker.content)).map((r) => `fd ${r.fd}: ${JSON.stringify(r.stdout)}`);
    expect(escaped).toEqual([]);
    const outside = results.filter((r) => r.code === 0 && !r.stdout.includes('tincan-fixture')).map((r) => `fd ${r.fd}: ${JSON.stringify(r.stdout)}`);
    expect(outside).toEqual([]);
    // refusals are fine (exit 125 with a message), crashes are not
    const other = results.filter((r) => r.code !== 0 && r.code !== 125).map((r) => `fd ${r.fd}: exit ${r.code} ${r.stderr}`);
    expect(other).toEqual([]);
  }

  const flagVariants: [string, () => string, () => string[]][] = [
    ['the default flags', () => plain, () => []],
    ['--userns auto --net host (the host /sys is bound in)', () => plain, () => ['--userns', 'auto', '--net', 'host']],
    ['-v /sys/fs/cgroup:/sys/fs/cgroup:ro', () => plain, () => ['-v', '/sys/fs/cgroup:/sys/fs/cgroup:ro']],
    ['an image whose /sys is a symlink into --tmpfs /tmp', () => sysInTmpfs, () => ['--tmpfs', '/tmp']],
    ['an image whose /sys is a symlink into a volume', () => sysInVolume, () => ['-v', `${volume}:/data`]],
  ];

  it.each(flagVariants)('-w /proc/self/fd/N (N = 3..20) with %s does not reach the host', async (_name, rootfs, flags) => {
    expectContained(await attackEachFd(rootfs(), flags(), (n) => `/proc/self/fd/${n}`));
  });

  it.each([
    ['--userns auto --net host', () => plain, () => ['--userns', 'auto', '--net', 'host']],
    ['an image /sys symlink into --tmpfs /tmp', () => sysInTmpfs, () => ['--tmpfs', '/tmp']],
  ])('a workdir that is an image symlink to /proc/self/fd/N does not reach the host (%s)', async (_name, rootfs, flags) => {
    expectContained(await attackEachFd(rootfs(), flags(), (n) => `/wd${n}`));
  });

  it('a workdir that is an image symlink to ../../.. resolves inside the root (or is refused)', async () => {
    const [r] = await cliMany([['run', '-w', '/up', plain, 'sh', '-c', 'pwd; cat etc/fixture-release']]);
    if (r?.code === 125) expect(r.stderr).toMatch(/workdir|\/up/);
    else expect(r?.stdout).toBe('/\ntincan-fixture\n');
  });

  it.each(flagVariants)('the command gets only fds 0 1 2 with %s (or the setup is refused)', async (_name, rootfs, flags) => {
    const [r] = await cliMany([['run', ...flags(), rootfs(), 'probe', 'fds']]);
    if (r?.code === 125 && r.stdout === '') return expect(r.stderr).toMatch(/\S/);
    expect(r?.stdout.trim()).toBe('0 1 2');
  });
});
