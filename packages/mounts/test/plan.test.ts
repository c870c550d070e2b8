import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MS_BIND, MS_REC } from '@tincan/libc';
import { containerPath, MountSpecError, planFilesystem } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'mounts-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('planFilesystem', () => {
  it('orders the steps: private propagation, rootfs, root, /proc /dev /sys, volumes, then pivot and masks', () => {
    const plan = planFilesystem({ rootfs: { kind: 'directory', path: dir }, volumes: [{ source: dir, target: '/a/b' }, { source: dir, target: '/a' }] });
    expect(plan.rootfs.map((s) => s.op)).toEqual(['mount', 'mount', 'setRoot']);
    const targets = plan.mounts.filter((s) => s.op === 'mount').map((s) => (s as { target: string }).target);
    expect(targets.slice(0, 2)).toEqual(['/proc', '/dev']);
    // volumes after the kernel filesystems, parents before children
    expect(targets.slice(-2)).toEqual(['/a', '/a/b']);
    expect(plan.pivot[0]).toEqual({ op: 'pivotRoot' });
    expect(plan.pivot.filter((s) => s.op === 'mask').length).toBeGreaterThan(5);
  });

  it('resolves every container-side target inside the root', () => {
    const plan = planFilesystem({ rootfs: { kind: 'directory', path: dir }, volumes: [{ source: dir, target: '/data', readOnly: true }] });
    for (const s of plan.mounts) if (s.op === 'mount' || s.op === 'setMountAttr') expect(s.paths).toContain('targetInRoot');
    const vol = plan.mounts.find((s) => s.op === 'mount' && s.target === '/data');
    expect(vol).toMatchObject({ source: dir, flags: MS_BIND | MS_REC, paths: ['targetInRoot', 'mkdir'] });
  });

  it('creates device nodes, or binds them inside a user namespace', () => {
    const own = planFilesystem({ rootfs: { kind: 'directory', path: dir } });
    expect(own.mounts.filter((s) => s.op === 'mknod').length).toBe(6);
    const userns = planFilesystem({ rootfs: { kind: 'directory', path: dir }, userNamespace: true });
    expect(userns.mounts.filter((s) => s.op === 'mknod').length).toBe(0);
  });

  it('id-maps the root in the monitor for a user namespace: the directory, or the overlay lowers then the overlay', () => {
    const dirPlan = planFilesystem({ rootfs: { kind: 'directory', path: dir }, userNamespace: true, idmap: true });
    expect(dirPlan.attach).toEqual([{ op: 'idmapMount', source: dir, target: dir }]);
    expect(dirPlan.rootfs.map((s) => s.op)).toEqual(['mount', 'setRoot']);
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
