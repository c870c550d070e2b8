import type { CgroupLimits } from '@tincan/cgroups-v2';
import type { ImageStoreOptions } from '@tincan/image';
import type { VolumeSpec, TmpfsSpec } from '@tincan/mounts';
import type { IdMapping, NamespaceType } from '@tincan/namespaces';
import type { SeccompProfile } from '@tincan/seccomp-bpf';
import type { StdioEntry, TraceEvent } from '@tincan/nsexec';

export type UserSpec = string | { uid: number; gid: number; groups?: number[] };

export interface Ulimit {
  /** RLIMIT_* name without the prefix, lower case: nofile, nproc, core, ... */
  name: string;
  soft: number | 'unlimited';
  hard: number | 'unlimited';
}

/** Everything a container is made of; plugins read the fields of their concern. */
export interface ContainerSpec {
  /** A rootfs directory, a rootfs tarball, or an image reference. */
  rootfs: string;
  /** The command (default: the image's Entrypoint + Cmd). */
  command?: string[];
  /** Replaces the image's Entrypoint. */
  entrypoint?: string[];
  /** KEY=VALUE entries, added to the image's Env (same keys override). */
  env?: string[];
  workdir?: string;
  user?: UserSpec;
  /** Generated when absent. */
  hostname?: string;
  /** Namespaces to create (default: mount pid uts ipc net cgroup, + user when userns is not host). */
  namespaces?: NamespaceType[];
  /** Join existing namespaces: type → /proc/PID/ns/... or a bind-mounted ns file. */
  joinNamespaces?: Partial<Record<NamespaceType, string>>;
  /** 'none': own net namespace with only lo; 'host': the host's network. */
  network?: 'none' | 'host';
  /** 'host': no user namespace; 'auto': a free 65536-id range; or explicit maps (uid and gid alike). */
  userns?: 'host' | 'auto' | IdMapping[];
  volumes?: VolumeSpec[];
  tmpfs?: TmpfsSpec[];
  readOnly?: boolean;
  /** MS_MOVE + chroot instead of pivot_root (only for a host whose root is not a mount, e.g. an initramfs). */
  noPivot?: boolean;
  resources?: CgroupLimits;
  /** 'on' (default): a cgroup v2 per container; 'off': none (and no limits). */
  cgroups?: 'on' | 'off';
  ulimits?: Ulimit[];
  capAdd?: string[];
  capDrop?: string[];
  seccomp?: 'default' | 'contained' | 'unconfined' | SeccompProfile;
  /** Default true. */
  noNewPrivileges?: boolean;
  stdio?: StdioEntry | [StdioEntry, StdioEntry, StdioEntry];
  /** Called for every isolation step (the CLI's --trace). */
  onTrace?: (event: TraceRecord) => void;
  /** Where images and layers live (default /var/lib/tincan). */
  dataDir?: string;
  /** Options for the image store when the rootfs is an image to pull (registries, progress). */
  imageStore?: Pick<ImageStoreOptions, 'insecureRegistries' | 'onProgress' | 'log'>;
}

/** One isolation step, as --trace shows it. */
export interface TraceRecord {
  phase: string;
  description: string;
  syscalls: string;
  ok: boolean;
  errno: number;
  durationMs: number;
}

export type { TraceEvent };
