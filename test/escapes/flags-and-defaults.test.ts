// Class 9: smaller gaps around common flags. Device nodes follow the caller's umask (0644 under the
// usual 022: /dev/null not writable by a non-root user); --tmpfs passes its text to the kernel
// unchecked and does not understand docker's options; --cap-add ALL and no-new-privileges=false fail
// to start. Each is checked from inside a container.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOTFS } from '../e2e/helpers';
import { cli, copyRootfs, expectClean, removeScratch, scratch, statusField } from './helpers';

const NODES = ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty'];

describe('escape class 9: flags and defaults', () => {
  let base: string;
  /** a private copy: the --tmpfs targets are created in it */
  let rootfs: string;
  beforeAll(() => {
    base = scratch();
    rootfs = copyRootfs(join(base, 'rootfs'));
  });
  afterAll(() => removeScratch(base));
  afterEach(() => expectClean(base));

  it.each([
    ['077', 'root', []],
    ['022', 'root', []],
    ['077', '--userns auto', ['--userns', 'auto']],
    ['077', '-u 1000', ['-u', '1000']],
  ])('device nodes are 0666 under the caller\'s umask %s (%s)', (umask, _name, flags: string[]) => {
    const r = cli(['run', ...flags, ROOTFS, 'sh', '-c', `stat -c "%n %a" ${NODES.join(' ')}; echo x > /dev/null && echo null-ok`], { umask });
    expect(r.stdout).toBe(`${NODES.map((n) => `${n} 666`).join('\n')}\nnull-ok\n`);
  });

  it.each(['foo=bar', 'size=1m,foo=bar', 'lowerdir=/etc', 'mode=4777x'])('--tmpfs /x:%s is refused with exit 125, naming the option', (opts) => {
    const r = cli(['run', '--tmpfs', `/x:${opts}`, rootfs, 'true']);
    expect(r.code).toBe(125);
    const bad = opts.split(',').find((o) => !/^(size=1m|mode=1777)$/.test(o)) ?? '';
    // the message names the offending option (an empty one as the whole value)
    expect(r.stderr).toContain(bad === '' ? opts : bad.split('=')[0]);
  });

  it('--tmpfs takes docker\'s options: size, mode, noexec, nosuid, nodev, uid, gid, nr_inodes', () => {
    const r = cli(['run', '--tmpfs', '/x:size=1m,mode=1777,noexec,nosuid,nodev,uid=1000,gid=1000,nr_inodes=100', rootfs, 'sh', '-c', 'grep " /x " /proc/self/mountinfo; stat -c "%a %u %g" /x']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [mountinfo = '', stat] = r.stdout.trim().split('\n');
    const [perMount = '', superOpts = ''] = mountinfo.split(' - ').map((s) => s.split(' '));
    const mountOpts = (perMount[5] ?? '').split(',');
    expect(mountOpts).toEqual(expect.arrayContaining(['noexec', 'nosuid', 'nodev']));
    // tmpfs shows mode only when it is not 1777: stat checks it
    expect((superOpts[2] ?? '').split(',')).toEqual(expect.arrayContaining(['size=1024k', 'nr_inodes=100', 'uid=1000', 'gid=1000']));
    expect(stat).toBe('1777 1000 1000');
    // exec is off
    expect(cli(['run', '--tmpfs', '/x:noexec', rootfs, 'sh', '-c', 'cp /bin/busybox /x/bb && /x/bb true; echo rc=$?']).stdout).toMatch(/rc=126/);
  });

  it('--cap-add ALL starts and gives the runtime\'s own capabilities', () => {
    const own = statusField(readFileSync('/proc/self/status', 'utf8'), 'CapEff');
    const r = cli(['run', '--cap-add', 'ALL', ROOTFS, 'cat', '/proc/self/status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statusField(r.stdout, 'CapEff')).toBe(own);
    expect(statusField(r.stdout, 'CapBnd')).toBe(own);
  });

  it('--security-opt no-new-privileges=false works with the default seccomp profile', () => {
    const r = cli(['run', '--security-opt', 'no-new-privileges=false', ROOTFS, 'cat', '/proc/self/status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(statusField(r.stdout, 'NoNewPrivs')).toBe('0');
    expect(statusField(r.stdout, 'Seccomp')).toBe('2');
    // and the filter is the default one: keyctl is still refused
    expect(cli(['run', '--security-opt', 'no-new-privileges=false', ROOTFS, 'probe', 'keyctl']).stdout).toBe('keyctl: EPERM\n');
  });
});
