import { statSync } from 'node:fs';
import {
  MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_SHARED, MS_SLAVE, MS_STRICTATIME,
  MOUNT_ATTR_NODEV, MOUNT_ATTR_RDONLY,
} from '@tincan/libc-core';
import type { ContainerStep, MonitorStep, PathFlag } from '@tincan/nsexec';
import { byDepth, containerPath, MountSpecError } from './paths';
import {
  DEFAULT_DEVICES, DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS,
  type FilesystemSpec, type Propagation, type RootfsSpec, type TmpfsSpec, type VolumeSpec,
} from './spec';

/**
 * The filesystem as steps: `attach` runs in the monitor after the uid/gid maps are written (id-mapped
 * roots), `rootfs` makes the root a private nodev mount and the base of in-root paths, `mounts` fill it
 * (/proc, /dev, /sys, tmpfs, volumes), `kernelPaths` mask and protect kernel interfaces after every
 * other mount (so none can cover or redirect them), `pivot` switches root.
 */
export interface FilesystemPlan {
  attach: MonitorStep[];
  rootfs: ContainerStep[];
  mounts: ContainerStep[];
  kernelPaths: ContainerStep[];
  pivot: ContainerStep[];
}

/** Kernel filesystems are mounted only where the image has a real directory, never through a symlink. */
const SYSTEM_TARGET: PathFlag[] = ['targetInRoot', 'mkdir', 'noSymlinks'];
/** Mounts the user asked for may follow the image's symlinks, but never into /proc or /sys. */
const USER_TARGET: PathFlag[] = ['targetInRoot', 'notKernelFs'];

const PROPAGATION: Record<Propagation, number> = {
  private: MS_PRIVATE, rprivate: MS_PRIVATE | MS_REC, slave: MS_SLAVE, rslave: MS_SLAVE | MS_REC,
  shared: MS_SHARED, rshared: MS_SHARED | MS_REC,
};

/**
 * Plan a container's filesystem. Checks host-side inputs (rootfs, volume sources) now, so a bad
 * spec fails before any process exists; every container-side target is resolved in the root later.
 */
export function planFilesystem(spec: FilesystemSpec): FilesystemPlan {
  const root = rootPath(spec.rootfs);
  const rootfs: ContainerStep[] = [
    // nothing we mount may propagate back to the host (and host mounts stop arriving)
    { op: 'mount', source: '', target: '/', flags: MS_REC | MS_PRIVATE },
    // with idmap, the monitor has attached the root already (idmapSteps)
    ...(spec.idmap ? [] : rootfsSteps(spec.rootfs)),
    { op: 'setRoot', path: root },
    // device nodes an image ships (or the container makes) are never usable: only the verified binds in /dev are
    { op: 'setMountAttr', target: root, set: MOUNT_ATTR_NODEV, paths: ['recursive'] },
  ];
  const mounts: ContainerStep[] = [
    ...procSteps(),
    ...devSteps(spec),
    ...sysSteps(spec),
    ...byDepth(spec.tmpfs ?? []).flatMap(tmpfsSteps),
    ...byDepth(spec.volumes ?? []).flatMap(volumeSteps),
  ];
  if (spec.workdir) mounts.push({ op: 'mkdir', path: containerPath(spec.workdir, 'workdir'), mode: 0o755 });
  const kernelPaths: ContainerStep[] = [
    ...(spec.maskedPaths ?? DEFAULT_MASKED_PATHS).map((p): ContainerStep => ({ op: 'mask', path: containerPath(p, 'masked path') })),
    ...(spec.readonlyPaths ?? DEFAULT_READONLY_PATHS).flatMap(readonlySteps),
  ];
  const pivot: ContainerStep[] = [
    // sealed read-only only now, so that every mount before (a plugin's too) could still make its mountpoint
    ...(spec.readOnly ? [{ op: 'setMountAttr', target: root, set: MOUNT_ATTR_RDONLY } as const] : []),
    { op: 'pivotRoot', ...(spec.noPivot ? { noPivot: true } : {}) },
  ];
  return { attach: spec.idmap ? idmapSteps(spec.rootfs) : [], rootfs, mounts, kernelPaths, pivot };
}

/** The host directory that becomes the container's root. */
export function rootPath(rootfs: RootfsSpec): string {
  return rootfs.kind === 'directory' ? rootfs.path : rootfs.mountpoint;
}

function rootfsSteps(rootfs: RootfsSpec): ContainerStep[] {
  if (rootfs.kind === 'directory') {
    requireDirectory(rootfs.path, 'rootfs');
    // pivot_root needs the new root to be a mount point
    return [{ op: 'mount', source: rootfs.path, target: rootfs.path, flags: MS_BIND | MS_REC }];
  }
  if (rootfs.lowerDirs.length === 0) throw new MountSpecError('overlay rootfs needs at least one lower dir');
  for (const d of [...rootfs.lowerDirs, rootfs.upperDir, rootfs.workDir, rootfs.mountpoint]) {
    if (d !== undefined) requireDirectory(d, 'overlay dir');
    if (d !== undefined && /[:,\\]/.test(d)) throw new MountSpecError(`overlay dir contains ':', ',' or '\\': ${d}`);
  }
  const upper = rootfs.upperDir && rootfs.workDir ? `,upperdir=${rootfs.upperDir},workdir=${rootfs.workDir}` : '';
  // mounted inside the container's mount namespace: it vanishes with it, nothing to clean on the host
  return [{ op: 'mount', source: 'overlay', target: rootfs.mountpoint, fstype: 'overlay', flags: 0, data: `lowerdir=${rootfs.lowerDirs.join(':')}${upper}` }];
}

/**
 * The root of a user-namespaced container, attached by the monitor: an id-mapped copy of the
 * directory over itself; or id-mapped copies of the overlay's lower dirs over themselves, then the
 * overlay mounted by the monitor (its trusted.overlay.* xattrs need host privileges). On-disk owners
 * stay as the image has them; the container sees them through its map.
 */
function idmapSteps(rootfs: RootfsSpec): MonitorStep[] {
  if (rootfs.kind === 'directory') {
    requireDirectory(rootfs.path, 'rootfs');
    return [{ op: 'idmapMount', source: rootfs.path, target: rootfs.path }];
  }
  const [overlay] = rootfsSteps(rootfs) as [Extract<ContainerStep, { op: 'mount' }>];
  // the upper dir is not id-mapped: overlayfs creates its work dirs with the monitor's host ids, which
  // the map cannot represent (EOVERFLOW); the caller gives the upper dir to the container's root instead
  return [
    ...rootfs.lowerDirs.map((d): MonitorStep => ({ op: 'idmapMount', source: d, target: d })),
    { op: 'childMount', source: overlay.source, target: overlay.target, fstype: 'overlay', flags: overlay.flags, data: overlay.data ?? '' },
  ];
}

function procSteps(): ContainerStep[] {
  return [{ op: 'mount', source: 'proc', target: '/proc', fstype: 'proc', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, paths: SYSTEM_TARGET }];
}

function devSteps(spec: FilesystemSpec): ContainerStep[] {
  const steps: ContainerStep[] = [
    // nodev: a node made in /dev (CAP_MKNOD) cannot be opened; the allowed ones are bound from the host
    { op: 'mount', source: 'tmpfs', target: '/dev', fstype: 'tmpfs', flags: MS_NOSUID | MS_NODEV | MS_STRICTATIME, data: 'mode=755,size=65536k', paths: SYSTEM_TARGET },
    ...DEFAULT_DEVICES.map((d): ContainerStep => ({ op: 'bindDevice', path: d.path, major: d.major, minor: d.minor })),
  ];
  const ptsData = `newinstance,ptmxmode=0666,mode=0620${spec.ttyGroup ? ',gid=5' : ''}`;
  steps.push(
    { op: 'mount', source: 'devpts', target: '/dev/pts', fstype: 'devpts', flags: MS_NOSUID | MS_NOEXEC, data: ptsData, paths: SYSTEM_TARGET },
    { op: 'symlink', target: 'pts/ptmx', path: '/dev/ptmx' },
    { op: 'mount', source: 'shm', target: '/dev/shm', fstype: 'tmpfs', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, data: 'mode=1777,size=65536k', paths: SYSTEM_TARGET },
  );
  if (spec.ipcNamespace) steps.push({ op: 'mount', source: 'mqueue', target: '/dev/mqueue', fstype: 'mqueue', flags: MS_NOSUID | MS_NODEV | MS_NOEXEC, paths: SYSTEM_TARGET });
  steps.push(
    { op: 'symlink', target: '/proc/self/fd', path: '/dev/fd' },
    { op: 'symlink', target: '/proc/self/fd/0', path: '/dev/stdin' },
    { op: 'symlink', target: '/proc/self/fd/1', path: '/dev/stdout' },
    { op: 'symlink', target: '/proc/self/fd/2', path: '/dev/stderr' },
  );
  return steps;
}

function sysSteps(spec: FilesystemSpec): ContainerStep[] {
  const flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY;
  // sysfs may only be mounted by the owner of the net namespace; otherwise rbind the host's, read-only
  if (spec.userNamespace && !spec.netNamespace) {
    return [
      { op: 'mount', source: '/sys', target: '/sys', flags: MS_BIND | MS_REC, paths: SYSTEM_TARGET },
      { op: 'setMountAttr', target: '/sys', set: MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV, paths: ['targetInRoot', 'recursive', 'noSymlinks'] },
    ];
  }
  return [{ op: 'mount', source: 'sysfs', target: '/sys', fstype: 'sysfs', flags, paths: SYSTEM_TARGET }];
}

function tmpfsSteps(t: TmpfsSpec): ContainerStep[] {
  const target = containerPath(t.target, 'tmpfs');
  if (target === '/') throw new MountSpecError('tmpfs: cannot replace the root (use a read-only root and tmpfs on the paths that need writes)');
  const data = [
    t.size ? `size=${t.size}` : '',
    t.mode !== undefined ? `mode=${t.mode.toString(8)}` : '',
    t.uid !== undefined ? `uid=${t.uid}` : '',
    t.gid !== undefined ? `gid=${t.gid}` : '',
    t.nrInodes !== undefined ? `nr_inodes=${t.nrInodes}` : '',
  ].filter(Boolean).join(',');
  // nodev always; nosuid and noexec unless asked otherwise (docker's defaults)
  const flags = MS_NODEV | (t.suid ? 0 : MS_NOSUID) | (t.exec === false ? MS_NOEXEC : 0) | (t.readOnly ? MS_RDONLY : 0);
  return [{ op: 'mount', source: 'tmpfs', target, fstype: 'tmpfs', flags, data, paths: [...USER_TARGET, 'mkdir'] }];
}

function volumeSteps(v: VolumeSpec): ContainerStep[] {
  const target = containerPath(v.target, `volume ${v.source}`);
  const isDir = hostSourceIsDirectory(v.source);
  const steps: ContainerStep[] = [
    // the target resolves inside the root: a symlink in the image cannot point the bind at the host
    { op: 'mount', source: v.source, target, flags: MS_BIND | (v.recursive === false ? 0 : MS_REC), paths: [...USER_TARGET, isDir ? 'mkdir' : 'mkfile'] },
  ];
  if (v.propagation) steps.push({ op: 'mount', source: '', target, flags: PROPAGATION[v.propagation], paths: ['targetInRoot'] });
  // nodev on every volume: a host directory's device nodes stay unusable inside
  const set = MOUNT_ATTR_NODEV | (v.readOnly ? MOUNT_ATTR_RDONLY : 0);
  steps.push({ op: 'setMountAttr', target, set, paths: v.recursive === false ? ['targetInRoot'] : ['targetInRoot', 'recursive'] });
  return steps;
}

function readonlySteps(path: string): ContainerStep[] {
  const target = containerPath(path, 'read-only path');
  return [
    { op: 'mount', source: target, target, flags: MS_BIND | MS_REC, paths: ['sourceInRoot', 'targetInRoot', 'optional', 'noSymlinks'] },
    { op: 'setMountAttr', target, set: MOUNT_ATTR_RDONLY, paths: ['targetInRoot', 'recursive', 'optional'] },
  ];
}

function requireDirectory(path: string, what: string): void {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new MountSpecError(`${what} does not exist: ${path}`);
  }
  if (!isDir) throw new MountSpecError(`${what} is not a directory: ${path}`);
}

function hostSourceIsDirectory(source: string): boolean {
  if (!source.startsWith('/')) throw new MountSpecError(`volume source must be an absolute host path: "${source}"`);
  try {
    return statSync(source).isDirectory();
  } catch {
    throw new MountSpecError(`volume source does not exist: ${source}`);
  }
}
