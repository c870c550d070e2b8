// The plan executed for real by @tincan/nsexec in a new mount namespace.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID } from '@tincan/libc-core';
import { startProcess } from '@tincan/nsexec';
import { planFilesystem, type FilesystemSpec } from '../src';
import { busyboxRootfs } from '@tincan/testkit';

const root = busyboxRootfs();
const base = mkdtempSync(join(tmpdir(), 'mounts-real-'));
afterAll(() => [root, base].forEach((d) => rmSync(d, { recursive: true, force: true })));

async function run(spec: Omit<FilesystemSpec, 'rootfs'>, script: string): Promise<string> {
  const plan = planFilesystem({ rootfs: { kind: 'directory', path: root }, netNamespace: true, ipcNamespace: true, ...spec });
  const p = startProcess({
    steps: [
      { op: 'clone', flags: CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC },
      { op: 'release' },
      { op: 'closeFds' },
      ...plan.rootfs, ...plan.mounts, ...plan.kernelPaths, ...plan.pivot,
      // one stream inside the container: two pipes outside would interleave in any order
      { op: 'exec', file: 'sh', argv: ['sh', '-c', `exec 2>&1; ${script}`], env: ['PATH=/bin'] },
    ],
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await p.exited;
  if (p.error) throw p.error;
  return out;
}

describe('planFilesystem, executed', () => {
  it('gives the container its own /proc, /dev and read-only /sys, and masks kernel paths', async () => {
    const out = await run({}, 'ls /dev | sort | tr "\\n" " "; echo; cat /proc/keys | wc -c; echo x > /proc/sys/kernel/hostname 2>&1; grep -c " /sys .* ro," /proc/self/mountinfo');
    const [dev, keys, sysWrite, sysRo] = out.trim().split('\n');
    expect(dev?.trim().split(' ')).toEqual(expect.arrayContaining(['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'ptmx', 'shm', 'mqueue', 'fd']));
    expect(keys?.trim()).toBe('0');
    expect(sysWrite).toMatch(/Read-only file system/);
    expect(sysRo).toBe('1');
  });

  it('makes read-only volumes read-only, and --read-only the root', async () => {
    const vol = join(base, 'vol');
    mkdirSync(vol);
    writeFileSync(join(vol, 'f'), 'host');
    const out = await run({ volumes: [{ source: vol, target: '/data', readOnly: true }], readOnly: true, tmpfs: [{ target: '/scratch' }] }, 'cat /data/f; echo; echo > /data/f 2>&1; touch /x 2>&1; touch /scratch/ok && echo scratch-ok');
    expect(out).toMatch(/^host\n.*Read-only file system\n.*Read-only file system\nscratch-ok\n$/);
  });

  it('keeps a volume inside the root when the image has a symlink to a host path on its way', async () => {
    const hostDir = join(base, 'host-dir');
    mkdirSync(hostDir);
    symlinkSync(hostDir, join(root, 'link'));
    const vol = join(base, 'vol2');
    mkdirSync(vol);
    writeFileSync(join(vol, 'marker'), 'volume');
    const out = await run({ volumes: [{ source: vol, target: '/link/sub' }] }, `cat /link/sub/marker; ls -d ${hostDir}/sub`);
    expect(out).toBe(`volume${hostDir}/sub\n`);
    expect(readdirSync(hostDir)).toEqual([]);
  });
});
