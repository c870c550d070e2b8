/** What a container's filesystem should look like. */

/** The root: a directory bind-mounted onto itself, or an overlay of read-only layers and a fresh upper dir. */
export type RootfsSpec =
  | { kind: 'directory'; path: string }
  | { kind: 'overlay'; lowerDirs: string[]; upperDir?: string; workDir?: string; mountpoint: string };

export type Propagation = 'private' | 'rprivate' | 'slave' | 'rslave' | 'shared' | 'rshared';

/** A host path bind-mounted into the container. */
export interface VolumeSpec {
  source: string;
  target: string;
  readOnly?: boolean;
  /** rbind (default) or a plain bind that leaves submounts out. */
  recursive?: boolean;
  propagation?: Propagation;
}

/** A tmpfs: always nodev; nosuid and exec unless said otherwise. */
export interface TmpfsSpec {
  target: string;
  /** bytes, or with a k/m/g suffix, or a percentage of memory */
  size?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  nrInodes?: string;
  readOnly?: boolean;
  /** false: noexec */
  exec?: boolean;
  /** true: set-user-ID bits honoured (default nosuid) */
  suid?: boolean;
}

export interface FilesystemSpec {
  rootfs: RootfsSpec;
  readOnly?: boolean;
  volumes?: VolumeSpec[];
  tmpfs?: TmpfsSpec[];
  /** Paths hidden from the container (default: docker's list). */
  maskedPaths?: string[];
  /** Paths made read-only (default: docker's list). */
  readonlyPaths?: string[];
  /** The process has its own user namespace (with no net namespace of its own, /sys is then a read-only rbind). */
  userNamespace?: boolean;
  /**
   * The process has a new user namespace with maps: the root (a directory, or the overlay's lower
   * dirs) is id-mapped into it, so files owned by host root are the container root's. An overlay's
   * upper dir must then belong to the container root's host uid/gid (it holds the container's writes).
   */
  idmap?: boolean;
  /** The process has its own net namespace: sysfs can be mounted (else /sys is a read-only rbind). */
  netNamespace?: boolean;
  /** The process has its own ipc namespace: /dev/mqueue gets a fresh mqueue. */
  ipcNamespace?: boolean;
  /** devpts gid=5 (tty) only when that gid exists in the container. */
  ttyGroup?: boolean;
  /** Created (mkdir -p) if missing, like docker's WORKDIR. */
  workdir?: string;
  /** MS_MOVE + chroot instead of pivot_root, for a host whose root is not a mount (an initramfs). */
  noPivot?: boolean;
}

/** docker's default masked paths: kernel interfaces a container must not read or use. */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

/** docker's default read-only paths. */
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The device nodes every container gets (char major:minor). */
export const DEFAULT_DEVICES: ReadonlyArray<{ path: string; major: number; minor: number }> = [
  { path: '/dev/null', major: 1, minor: 3 },
  { path: '/dev/zero', major: 1, minor: 5 },
  { path: '/dev/full', major: 1, minor: 7 },
  { path: '/dev/random', major: 1, minor: 8 },
  { path: '/dev/urandom', major: 1, minor: 9 },
  { path: '/dev/tty', major: 5, minor: 0 },
];
