import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOUNT_ATTR_NODEV, MOUNT_ATTR_RDONLY, MS_BIND, MS_NODEV, MS_REC } from '@tincan/libc-core';
import { containerPath, DEFAULT_DEVICES, MountSpecError, parseTmpfsOptions, planFilesystem } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'mounts-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('planFilesystem', () => {
  it('orders the steps: private propagation, rootfs, nodev root, /proc /dev /sys, volumes, masks, then pivot', () => {
    const plan = planFilesystem({ rootfs: { kind: 'directory', path: dir }, volumes: [{ source: dir, target: '/a/b' }, { source: dir, target: '/a' }] });
    expect(plan.rootfs.map((s) => s.op)).toEqual(['mount', 'mount', 'setRoot', 'setMountAttr']);
    expect(plan.rootfs[3]).toEqual({ op: 'setMountAttr', target: dir, set: MOUNT_ATTR_NODEV, paths: ['recursive'] });
    const targets = plan.mounts.filter((s) => s.op === 'mount').map((s) => (s as { target: string }).target);
    expect(targets.slice(0, 2)).toEqual(['/proc', '/dev']);
    // volumes after the kernel filesystems, parents before children
    expect(targets.slice(-2)).toEqual(['/a', '/a/b']);
    expect(plan.pivot).toEqual([{ op: 'pivotRoot' }]);
    expect(plan.kernelPaths.filter((s) => s.op === 'mask').length).toBeGreaterThan(5);
    // kernel interfaces are mounted only where the image has a real directory
    for (const s of plan.mounts.filter((m) => m.op === 'mount' && ['/proc', '/dev', '/sys'].includes(m.target))) expect(s).toMatchObject({ paths: expect.arrayContaining(['noSymlinks']) });
  });

  it('resolves every container-side target inside the root', () => {
    const plan = planFilesystem({ rootfs: { kind: 'directory', path: dir }, volumes: [{ source: dir, target: '/data', readOnly: true }] });
    for (const s of plan.mounts) if (s.op === 'mount' || s.op === 'setMountAttr') expect(s.paths).toContain('targetInRoot');
    const vol = plan.mounts.find((s) => s.op === 'mount' && s.target === '/data');
    // a volume may follow the image's symlinks, but not into /proc or /sys
    expect(vol).toMatchObject({ source: dir, flags: MS_BIND | MS_REC, paths: ['targetInRoot', 'notKernelFs', 'mkdir'] });
    expect(plan.mounts.find((s) => s.op === 'setMountAttr' && s.target === '/data')).toMatchObject({ set: MOUNT_ATTR_NODEV | MOUNT_ATTR_RDONLY });
  });

  it('binds the default devices from the host (verified) on a nodev /dev, with or without a user namespace', () => {
    for (const userNamespace of [false, true]) {
      const plan = planFilesystem({ rootfs: { kind: 'directory', path: dir }, userNamespace });
      expect(plan.mounts.filter((s) => s.op === 'mknod')).toEqual([]);
      expect(plan.mounts.filter((s) => s.op === 'bindDevice').map((s) => (s as { path: string }).path)).toEqual(DEFAULT_DEVICES.map((d) => d.path));
      const dev = plan.mounts.find((s) => s.op === 'mount' && s.target === '/dev') as { flags: number };
      expect(dev.flags & MS_NODEV).toBe(MS_NODEV);
    }
  });

  it('refuses a tmpfs over the root and docker-unknown tmpfs options', () => {
    expect(() => planFilesystem({ rootfs: { kind: 'directory', path: dir }, tmpfs: [{ target: '/' }] })).toThrow(/cannot replace the root/);
    expect(parseTmpfsOptions('size=1m,mode=1777,uid=1000,gid=1000,nr_inodes=100,noexec,nosuid,nodev,ro')).toEqual({ size: '1m', mode: 0o1777, uid: 1000, gid: 1000, nrInodes: '100', exec: false, suid: false, readOnly: true });
    expect(() => parseTmpfsOptions('foo=bar')).toThrow(/"foo=bar" is not supported/);
    expect(() => parseTmpfsOptions('dev')).toThrow(/device nodes/);
    expect(() => parseTmpfsOptions('mode=999')).toThrow(/octal/);
    expect(() => parseTmpfsOptions('uid=4294967295')).toThrow(/out of range/);
  });

  it('id-maps the root in the monitor for a user namespace: the directory, or the overlay lowers then the overlay', () => {
    const dirPlan = planFilesystem({ rootfs: { kind: 'directory', path: dir }, userNamespace: true, idmap: true });
    expect(dirPlan.attach).toEqual([{ op: 'idmapMount', source: dir, target: dir }]);
    expect(dirPlan.rootfs.map((s) => s.op)).toEqual(['mount', 'setRoot', 'setMountAttr']);
    const overlay = planFilesystem({ rootfs: { kind: 'overlay', lowerDirs: [dir, dir], upperDir: dir, workDir: dir, mountpoint: dir }, idmap: true });
    expect(overlay.attach.map((s) => s.op)).toEqual(['idmapMount', 'idmapMount', 'childMount']);
    expect(overlay.attach[2]).toMatchObject({ fstype: 'overlay', data: `lowerdir=${dir}:${dir},upperdir=${dir},workdir=${dir}` });
    expect(planFilesystem({ rootfs: { kind: 'directory', path: dir } }).attach).toEqual([]);
  });

  it('names what is wrong with a spec', () => {
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect(() => planFilesystem({ rootfs: { kind: 'directory', path: '/nonexistent-root' } })).toThrow('rootfs does not exist: /nonexistent-root');
    expect(() => planFilesystem({ rootfs: { kind: 'directory', path: file } })).toThrow('rootfs is not a directory');
    expect(() => planFilesystem({ rootfs: { kind: 'directory', path: dir }, volumes: [{ source: '/nonexistent-src', target: '/x' }] })).toThrow('volume source does not exist: /nonexistent-src');
    expect(() => planFilesystem({ rootfs: { kind: 'directory', path: dir }, volumes: [{ source: dir, target: 'relative' }] })).toThrow(MountSpecError);
    expect(() => planFilesystem({ rootfs: { kind: 'overlay', lowerDirs: [`${dir}:x`], mountpoint: dir } })).toThrow(/does not exist|contains ':'/);
  });

  it('normalises container paths so that none escapes', () => {
    expect(containerPath('/a/../../b//c/', 'x')).toBe('/b/c');
    expect(containerPath('/', 'x')).toBe('/');
  });
});
