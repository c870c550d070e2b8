// What an attacker tries next with a hostile image (handled today, kept so that it stays handled):
// users named like numbers, a rootfs tarball whose entries climb out of the layer (../ names, absolute
// names, symlinks and hard links to host paths), and a volume whose target resolves onto /proc.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, copyRootfs, expectClean, rand, removeScratch, rootfsTarWith, scratch, type TarEntry } from './helpers';

describe('handled: a hostile image', () => {
  let base: string;
  beforeAll(() => (base = scratch()));
  afterAll(() => removeScratch(base));
  afterEach(() => expectClean(base));

  describe('/etc/passwd and /etc/group with names that look like ids', () => {
    let rootfs: string;
    beforeAll(() => {
      rootfs = copyRootfs(join(base, 'passwd'));
      // "1000" is a user and a group named like an id, with id 0
      const passwd = readFileSync(join(rootfs, 'etc/passwd'), 'utf8');
      writeFileSync(join(rootfs, 'etc/passwd'), `1000:x:0:0:evil:/root:/bin/sh\n65534:x:0:0:evil:/root:/bin/sh\n${passwd}`);
      const group = readFileSync(join(rootfs, 'etc/group'), 'utf8');
      writeFileSync(join(rootfs, 'etc/group'), `1000:x:0:\n${group}`);
    });

    it.each([
      ['1000', '1000:1000'],
      ['1000:1000', '1000:1000'],
      ['app:1000', '1000:1000'],
      ['65534', '65534:65534'],
    ])('-u %s is the numeric id, not the user named so', (user, ids) => {
      const r = cli(['run', '-u', user, rootfs, 'sh', '-c', 'echo "$(id -u):$(id -g)"']);
      expect(r.stdout).toBe(`${ids}\n`);
    });
  });

  describe('a rootfs tarball whose entries climb out of the layer', () => {
    let host: string;
    let victim: string;
    const victimContent = `host-victim-${rand()}\n`;
    const up = '../../../../../../../../../..';

    beforeAll(() => {
      host = join(base, 'host');
      mkdirSync(host);
      victim = join(host, 'victim');
      writeFileSync(victim, victimContent);
    });
    afterEach(() => {
      expect(readdirSync(host)).toEqual(['victim']);
      expect(readFileSync(victim, 'utf8')).toBe(victimContent);
      expect(statSync(victim).nlink).toBe(1);
    });

    // one tarball per trick: the unpacker stops at the first entry it refuses
    it.each([
      ['a file through a symlink to an absolute host path', () => [{ name: './abs-link', type: 'symlink', linkname: host }, { name: './abs-link/pwned', type: 'file', content: 'pwned\n' }]],
      ['a file through a symlink that climbs with ../', () => [{ name: './rel-link', type: 'symlink', linkname: `${up}${host}` }, { name: './rel-link/pwned', type: 'file', content: 'pwned\n' }]],
      ['a directory symlink then a file under it', () => [{ name: './d', type: 'symlink', linkname: `${up}${host}` }, { name: './d/', type: 'dir' }, { name: './d/pwned', type: 'file', content: 'pwned\n' }]],
      ['a name with ../', () => [{ name: `./${up}${host}/pwned`, type: 'file', content: 'pwned\n' }]],
      ['an absolute name', () => [{ name: `${host}/pwned`, type: 'file', content: 'pwned\n' }]],
      ['a hard link to an absolute host path', () => [{ name: './hard-abs', type: 'hardlink', linkname: victim }]],
      ['a hard link that climbs with ../', () => [{ name: './hard-rel', type: 'hardlink', linkname: `${up}${victim}` }]],
      ['a hard link through a symlink', () => [{ name: './hl-dir', type: 'symlink', linkname: host }, { name: './hard-via-link', type: 'hardlink', linkname: 'hl-dir/victim' }]],
    ] as [string, () => TarEntry[]][])('%s: nothing written or linked outside the layer', (_name, entries) => {
      const tarball = rootfsTarWith(join(base, `evil-${rand()}.tar.gz`), entries());
      const dataDir = join(base, `data-${rand()}`);
      const r = cli(['run', '--data-dir', dataDir, tarball, 'sh', '-c', 'for f in /hard-abs /hard-rel /hard-via-link; do [ -f $f ] && echo PWNED >> $f; done; true']);
      // refusing the tarball is fine (with a message); unpacking it must not have touched the host
      if (r.code !== 0) expect(r.stderr).toMatch(/\S/);
      rmSync(dataDir, { recursive: true, force: true });
    });
  });

  describe('a volume whose target is an image symlink onto /proc', () => {
    it.each([
      ['/proc', '/proc'],
      ['/proc/sys/kernel', '/proc/sys/kernel'],
      ['../../../proc', '../../../proc'],
    ])('a symlink to %s: the kernel interfaces are not replaced by attacker files, nothing reaches the host', (_name, target) => {
      const rootfs = copyRootfs(join(base, `proc-link-${rand()}`));
      // other suites mount volumes at /data of the shared fixture, leaving the mountpoint behind
      rmSync(join(rootfs, 'data'), { recursive: true, force: true });
      symlinkSync(target, join(rootfs, 'data'));
      const volume = join(base, `vol-${rand()}`);
      // what a previous run of the same hostile image could have left in the volume
      mkdirSync(join(volume, 'sys', 'kernel'), { recursive: true });
      mkdirSync(join(volume, 'self'), { recursive: true });
      writeFileSync(join(volume, 'keys'), 'planted\n');
      writeFileSync(join(volume, 'core_pattern'), 'planted\n');
      symlinkSync('/', join(volume, 'self', 'fd'));
      const before = execFileSync('find', [volume, '-printf', '%p %s %m\n'], { encoding: 'utf8' });
      const hostCorePattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
      const r = cli(['run', '-v', `${volume}:/data`, rootfs, 'sh', '-c', 'probe read /proc/keys; probe open /proc/sys/kernel/core_pattern w; grep -c ^Pid: /proc/self/status']);
      if (r.code === 125) expect(r.stderr).toMatch(/\S/);
      else {
        // /proc/keys is masked or is the planted file (the volume the caller mounted), never the kernel's
        expect(r.stdout).not.toMatch(/^read \/proc\/keys: ok "(?!planted)[^"]+"$/m);
        expect(r.stdout).not.toMatch(/^open \/proc\/sys\/kernel\/core_pattern: ok reg 0:/m);
      }
      expect(readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).toBe(hostCorePattern);
      // the runtime created nothing in the caller's directory (the container itself wrote nothing)
      expect(execFileSync('find', [volume, '-printf', '%p %s %m\n'], { encoding: 'utf8' })).toBe(before);
    });
  });
});
