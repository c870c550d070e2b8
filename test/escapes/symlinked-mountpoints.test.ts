// Known classes the runtime already handles: an image whose mount points are symlinks to host paths
// (/proc, /sys, /dev; volume, tmpfs and workdir targets), absolute and relative (../../..). Every
// mount and mkdir must land inside the root; the host paths the symlinks name stay untouched.
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, copyRootfs, expectClean, rand, removeScratch, scratch } from './helpers';

/** A relative symlink target that climbs out of any root and down to `hostPath`. */
const climb = (hostPath: string) => `../../../../../../../../../..${hostPath}`;

describe('handled: image symlinks that point mount points at the host', () => {
  let base: string;
  /** the host directory every symlink points into; nothing may appear in it */
  let host: string;
  const hostFileContent = `host-file-${rand()}\n`;

  beforeAll(() => {
    base = scratch();
    host = join(base, 'host');
    mkdirSync(host);
    writeFileSync(join(host, 'hosts'), hostFileContent);
  });
  afterAll(() => removeScratch(base));
  afterEach(() => {
    expectClean(base);
    expect(readdirSync(host).sort()).toEqual(['hosts']);
    expect(readFileSync(join(host, 'hosts'), 'utf8')).toBe(hostFileContent);
  });

  function image(name: string, links: Record<string, string>): string {
    const rootfs = copyRootfs(join(base, name));
    for (const [path, target] of Object.entries(links)) {
      rmSync(join(rootfs, path), { recursive: true, force: true });
      symlinkSync(target, join(rootfs, path));
    }
    return rootfs;
  }

  it.each([
    ['absolute', (p: string) => p],
    ['relative', climb],
  ])('/proc, /sys and /dev as %s symlinks to host paths: refused, or mounted inside the root and masked', (kind, to) => {
    const rootfs = image(`pseudo-fs-${kind}`, { proc: to(join(host, 'proc')), sys: to(join(host, 'sys')), dev: to(join(host, 'dev')) });
    const r = cli(['run', rootfs, 'sh', '-c', 'grep -c ^Pid: /proc/self/status; ls /sys/kernel >/dev/null && echo sys-ok; echo x > /dev/null && echo dev-ok; probe read /proc/keys; probe open /proc/sys/kernel/core_pattern w']);
    // refusing such an image is fine too (the message names the path); the host paths are checked in afterEach
    if (r.code === 125 && r.stdout === '') return expect(r.stderr).toMatch(/\/(proc|sys|dev)\b/);
    expect(r.stdout).toBe('1\nsys-ok\ndev-ok\nread /proc/keys: ok ""\nopen /proc/sys/kernel/core_pattern: EROFS\n');
  });

  it.each([
    ['absolute', (p: string) => p],
    ['relative', climb],
  ])('directory volume, tmpfs and workdir targets as %s symlinks to host paths are refused or stay inside the root', (kind, to) => {
    const rootfs = image(`targets-${kind}`, { vol: to(join(host, 'vol')), scratchpad: to(join(host, 'tmpfs')), wd: to(join(host, 'wd')) });
    const volume = join(base, `volume-${kind}`);
    mkdirSync(volume);
    writeFileSync(join(volume, 'in-volume'), 'volume\n');
    const r = cli(['run', '-v', `${volume}:/vol`, '--tmpfs', '/scratchpad', '-w', '/wd', rootfs, 'sh', '-c', 'cat /vol/in-volume; touch /scratchpad/t /vol/from-container; pwd; cd ../../../../../../../../..; cat etc/fixture-release']);
    if (r.code === 125 && r.stdout === '') return expect(r.stderr).toMatch(/\/(vol|scratchpad|wd)\b/);
    // the workdir is the symlink's target resolved in the root (or /wd itself); climbing ends at the root's /
    expect(r.stdout).toMatch(new RegExp(`^volume\n(/wd|${join(host, 'wd')})\ntincan-fixture\n$`));
    expect(readdirSync(volume).sort()).toEqual(['from-container', 'in-volume']);
  });

  it.each([
    ['absolute', (p: string) => p],
    ['relative', climb],
  ])('a file volume whose target is an image symlink (%s) to an existing host file is refused or bound inside the root', (kind, to) => {
    const rootfs = image(`file-target-${kind}`, { 'etc/hosts': to(join(host, 'hosts')) });
    const hostsFile = join(base, `hosts-${kind}`);
    writeFileSync(hostsFile, 'volume hosts\n');
    const r = cli(['run', '-v', `${hostsFile}:/etc/hosts`, rootfs, 'sh', '-c', 'cat /etc/hosts; echo appended >> /etc/hosts']);
    // the host file the symlink names is checked in afterEach: unchanged, never a mount point
    if (r.code === 125) return expect(r.stderr).toMatch(/\/etc\/hosts/);
    expect(r.stdout).toBe('volume hosts\n');
    expect(readFileSync(hostsFile, 'utf8')).toBe('volume hosts\nappended\n');
  });
});
