// Class 6: `--userns auto` on a directory rootfs id-maps the directory itself into the container, so
// the container's root writes to it as host uid 0: a setuid-root copy of busybox made inside lands in
// the host directory as a real setuid-root binary, for any host user who can reach it. The container's
// writes must not reach the host directory as host root (an overlay whose upper dir belongs to the
// mapped ids, or no writes at all).
import { join } from 'node:path';
import { changedEntries, cli, copyRootfs, expectClean, removeScratch, scratch, snapshotTree } from './helpers';

describe('escape class 6: --userns auto on a directory rootfs', () => {
  let base: string;
  afterAll(() => removeScratch(base));
  afterEach(() => expectClean(base));

  it.each([
    ['--userns auto', ['--userns', 'auto']],
    ['--userns auto --read-only', ['--userns', 'auto', '--read-only']],
  ])('%s: files the container\'s root creates are not host-root files, and no setuid-root binary appears on the host', (_name, flags: string[]) => {
    base ??= scratch();
    const rootfs = copyRootfs(join(base, `rootfs-${flags.length}`));
    const before = snapshotTree(rootfs);
    const r = cli([
      'run', ...flags, rootfs, 'sh', '-c',
      // as the container's root: a file, setuid- and setgid-root copies of the shell, a directory, a changed file
      'id -u; echo made-inside > /newfile; cp /bin/busybox /suid-shell && chmod 4755 /suid-shell; cp /bin/busybox /sgid-shell && chmod 2755 /sgid-shell; mkdir /newdir; echo changed >> /etc/fixture-release',
    ]);
    expect(r.stdout.split('\n')[0]).toBe('0');
    const changed = changedEntries(before, snapshotTree(rootfs));
    // the container ran as the root of its namespace: nothing it created may belong to host root,
    // and nothing it created or changed may be setuid or setgid root on the host
    const newHostRoot = changed.filter(([p, f]) => !before.has(p) && f.uid === 0).map(([p, f]) => `${p} uid ${f.uid} mode ${f.mode.toString(8)}`);
    const setidRoot = changed.filter(([, f]) => (f.uid === 0 && (f.mode & 0o4000) !== 0) || (f.gid === 0 && (f.mode & 0o2010) === 0o2010)).map(([p]) => p);
    expect({ setidRoot, newHostRoot }).toEqual({ setidRoot: [], newHostRoot: [] });
  });
});
