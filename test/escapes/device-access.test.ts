// Class 4: no device access control. Root in a default container has CAP_MKNOD, and nothing (no device
// cgroup or BPF device program, no nodev on the root) stops it from opening a node it made or one the
// image ships: a host block device (here a loop device backed by a temp file holding a marker),
// loop-control, kmsg, the console's vcs, userfaultfd, mem. Writes go only to the temp file; kmsg, mem
// and userfaultfd are opened, never written; a loop device LOOP_CTL_ADD created is removed at once.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ROOTFS } from '../e2e/helpers';
import { cli, copyRootfs, expectClean, hostDevice, loopDevice, rand, removeScratch, scratch, sha256, type LoopDevice } from './helpers';

const PROBE = join(ROOTFS, 'bin', 'probe');

describe('escape class 4: device access', () => {
  let base: string;
  let loop: LoopDevice;
  let content: string;
  let backingHash: string;
  /** a private copy of the fixture with /blk (the loop device, 0666) and /lc (loop-control, 0666) made on the host */
  let imageWithNodes: string;
  let imageTar: string;
  let dataDir: string;
  /** a loop number no host uses, for LOOP_CTL_ADD */
  const loopNumber = 4000 + Math.floor(Math.random() * 3000);

  beforeAll(() => {
    base = scratch();
    content = `loop-marker-${rand()}`;
    loop = loopDevice(base, content);
    backingHash = sha256(loop.backing);
    imageWithNodes = copyRootfs(join(base, 'rootfs'));
    execFileSync('mknod', [join(imageWithNodes, 'blk'), 'b', String(loop.major), String(loop.minor)]);
    const [lcMajor, lcMinor] = hostDevice('/dev/loop-control', [10, 237]);
    execFileSync('mknod', [join(imageWithNodes, 'lc'), 'c', String(lcMajor), String(lcMinor)]);
    for (const n of ['blk', 'lc']) chmodSync(join(imageWithNodes, n), 0o666);
    imageTar = join(base, 'image.tar.gz');
    execFileSync('tar', ['-C', imageWithNodes, '-czf', imageTar, '.']);
    dataDir = join(base, 'data');
  });

  afterAll(() => {
    loop?.detach();
    // a loop device the container managed to add: remove it (the probe removes it itself on success)
    if (existsSync(`/sys/block/loop${loopNumber}`)) spawnSync(PROBE, ['loop-ctl-remove', '/dev/loop-control', String(loopNumber)]);
    removeScratch(base);
  });
  afterEach(() => {
    expectClean(base);
    expect(existsSync(`/sys/block/loop${loopNumber}`)).toBe(false);
  });

  /** Read the block device at `node` and try to overwrite its first bytes (never creating a file there). */
  const readWrite = (node: string) => `probe read ${node}; probe write ${node} OVERWRITTEN`;

  /** The device's first block as the test wrote it, written back through the device (no stale cache). */
  function restoreLoop() {
    const fd = openSync(loop.dev, 'r+');
    try {
      const block = Buffer.alloc(4096);
      block.write(content);
      writeSync(fd, block, 0, block.length, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  function expectNoBlockAccess(r: ReturnType<typeof cli>) {
    const written = sha256(loop.backing) !== backingHash;
    if (written) restoreLoop();
    // the read was refused (by mknod or open), and the write with it
    expect({
      markerRead: r.stdout.includes(content),
      readOk: /^read \S+: ok/m.test(r.stdout),
      writeOk: /^write: ok/m.test(r.stdout),
      backingFileChanged: written,
    }).toEqual({ markerRead: false, readOk: false, writeOk: false, backingFileChanged: false });
  }

  it.each([
    ['the default flags', []],
    ['--cgroups off', ['--cgroups', 'off']],
    ['--userns auto', ['--userns', 'auto']],
  ])('a block device mknod\'ed inside cannot be read or written (%s)', (_name, flags: string[]) => {
    // in the rootfs's own /tmp (a private copy): the root filesystem, not the runtime's /dev tmpfs
    const r = cli(['run', ...flags, imageWithNodes, 'sh', '-c', `mknod /tmp/blk b ${loop.major} ${loop.minor}; ${readWrite('/tmp/blk')}; rm -f /tmp/blk`]);
    expectNoBlockAccess(r);
  });

  it.each([
    ['the default flags', []],
    ['--userns auto', ['--userns', 'auto']],
    ['-u 1000 --cap-drop ALL', ['-u', '1000', '--cap-drop', 'ALL']],
    ['--cgroups off', ['--cgroups', 'off']],
  ])('a block device node shipped in a rootfs directory cannot be used (%s)', (_name, flags: string[]) => {
    expectNoBlockAccess(cli(['run', ...flags, imageWithNodes, 'sh', '-c', readWrite('/blk')]));
  });

  it.each([
    ['the default flags', []],
    ['-u 1000 --cap-drop ALL', ['-u', '1000', '--cap-drop', 'ALL']],
  ])('a block device node shipped in an image tarball cannot be used (%s)', (_name, flags: string[]) => {
    expectNoBlockAccess(cli(['run', '--data-dir', dataDir, ...flags, imageTar, 'sh', '-c', readWrite('/blk')]));
  });

  it('loop-control (shipped or mknod\'ed) cannot add a loop device', () => {
    const [major, minor] = hostDevice('/dev/loop-control', [10, 237]);
    const r = cli(['run', imageWithNodes, 'sh', '-c', `probe loop-ctl-add /lc ${loopNumber}; mknod /tmp/lc c ${major} ${minor}; probe loop-ctl-add /tmp/lc ${loopNumber}; rm -f /tmp/lc`]);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('loop-ctl-add: ok'))).toEqual([]);
    expect(r.stdout).toMatch(/^loop-ctl-add: E/m);
  });

  it('kmsg, the console (vcs), userfaultfd and mem cannot be opened through mknod', () => {
    const nodes: [string, 'c', [number, number], 'r' | 'w' | 'rw'][] = [
      ['kmsg', 'c', hostDevice('/dev/kmsg', [1, 11]), 'w'],
      ['vcs', 'c', hostDevice('/dev/vcs', [7, 0]), 'r'],
      ['userfaultfd', 'c', hostDevice('/dev/userfaultfd', [10, 126]), 'rw'],
      ['mem', 'c', hostDevice('/dev/mem', [1, 1]), 'r'],
    ];
    for (const [name, , dev] of nodes) if (!existsSync(`/dev/${name}`)) console.warn(`the host has no /dev/${name} (${dev.join(':')}): that check passes trivially`);
    const script = nodes.map(([name, type, [ma, mi], mode]) => `mknod /tmp/${name} ${type} ${ma} ${mi}; probe open /tmp/${name} ${mode}; rm -f /tmp/${name}`).join('; ');
    for (const flags of [[], ['--cgroups', 'off']]) {
      const r = cli(['run', ...flags, imageWithNodes, 'sh', '-c', script]);
      expect({ flags, opened: r.stdout.split('\n').filter((l) => / ok /.test(l)) }).toEqual({ flags, opened: [] });
    }
  });

  describe('the devices a container is given still work', () => {
    const script = [
      'echo x > /dev/null && echo null-writable',
      'head -c 3 /dev/zero | wc -c',
      'head -c 3 /dev/urandom | wc -c',
      'head -c 3 /dev/random | wc -c',
      'echo x > /dev/full; echo "full rc=$?"',
      'stat -c "%n %a %F %t:%T" /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty',
    ].join('; ');
    const expected =
      'null-writable\n3\n3\n3\nfull rc=1\n' +
      '/dev/null 666 character special file 1:3\n/dev/zero 666 character special file 1:5\n/dev/full 666 character special file 1:7\n' +
      '/dev/random 666 character special file 1:8\n/dev/urandom 666 character special file 1:9\n/dev/tty 666 character special file 5:0\n';

    it.each([
      ['root', []],
      ['-u 1000', ['-u', '1000']],
      ['-u 1000 --cap-drop ALL', ['-u', '1000', '--cap-drop', 'ALL']],
      ['--userns auto', ['--userns', 'auto']],
      ['--cgroups off', ['--cgroups', 'off']],
    ])('as %s: /dev/null, zero, full, random and urandom are usable and 0666', (_name, flags: string[]) => {
      const r = cli(['run', ...flags, ROOTFS, 'sh', '-c', script]);
      expect(r.stdout).toBe(expected);
      expect(r.code).toBe(0);
    });
  });
});
