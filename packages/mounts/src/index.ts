/**
 * @tincan/mounts — a container's filesystem as an ordered list of setup steps for @tincan/nsexec:
 * private propagation, rootfs bind or overlay, /proc, /dev, /sys, tmpfs, volumes, pivot_root with the
 * old root detached, masked and read-only paths. Every container path resolves inside the root.
 */
export { planFilesystem, rootPath } from './plan';
export type { FilesystemPlan } from './plan';
export { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, DEFAULT_DEVICES } from './spec';
export type { FilesystemSpec, RootfsSpec, VolumeSpec, TmpfsSpec, Propagation } from './spec';
export { MountSpecError, containerPath } from './paths';
export { parseTmpfsOptions } from './tmpfs-options';
