import type { ImageConfig } from '../sources/oci';
import { imageDefaults } from './defaults';
import type { ResolvedUser } from './users';

/** The parts of an OCI runtime-spec config.json that a bundle from an image fills in. */
export interface RuntimeSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<'bounding' | 'effective' | 'permitted', string[]>;
    rlimits: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: { destination: string; type: string; source: string; options?: string[] }[];
  annotations: Record<string, string>;
  linux: {
    resources: { devices: { allow: boolean; access: string }[] };
    namespaces: { type: string }[];
    maskedPaths: string[];
    readonlyPaths: string[];
  };
}

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

/** `runc spec`'s defaults (mounts, namespaces, masked paths), as umoci also starts from. */
const RUNC_SPEC_MOUNTS: RuntimeSpec['mounts'] = [
  { destination: '/proc', type: 'proc', source: 'proc' },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
  { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
];
const MASKED_PATHS = ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * An OCI runtime config for a bundle unpacked from `config`: process from Entrypoint+Cmd, Env
 * (PATH and HOME added when the image sets none), WorkingDir and the resolved user; annotations as the
 * image-spec's "conversion to OCI runtime configuration" says; the rest as `runc spec`.
 */
export function buildRuntimeSpec(config: ImageConfig, user: ResolvedUser): RuntimeSpec {
  const d = imageDefaults(config);
  const args = [...(d.entrypoint ?? []), ...(d.cmd ?? [])];
  const env = withDefaultEnv(d.env ?? [], user);
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: user.uid, gid: user.gid, ...(user.additionalGids.length > 0 && { additionalGids: user.additionalGids }) },
      // the runtime spec needs at least one argument; `runc spec` uses sh as well
      args: args.length > 0 ? args : ['sh'],
      env,
      cwd: d.workingDir ?? '/',
      capabilities: { bounding: [...DEFAULT_CAPS], effective: [...DEFAULT_CAPS], permitted: [...DEFAULT_CAPS] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: 'tincan',
    mounts: RUNC_SPEC_MOUNTS.map((m) => ({ ...m, ...(m.options && { options: [...m.options] }) })),
    annotations: conversionAnnotations(config),
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })),
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
    },
  };
}

/** PATH and HOME when the image sets none, as docker and umoci add them (HOME from passwd, else /). */
function withDefaultEnv(env: string[], user: ResolvedUser): string[] {
  const has = (name: string): boolean => env.some((e) => e.startsWith(`${name}=`));
  return [...(has('PATH') ? [] : [DEFAULT_PATH]), ...env, ...(has('HOME') ? [] : [`HOME=${user.home ?? '/'}`])];
}

/** image-spec conversion.md: labels become annotations, plus os/architecture/author/created/ports/stop signal. */
function conversionAnnotations(config: ImageConfig): Record<string, string> {
  const d = imageDefaults(config);
  const a: Record<string, string> = { ...(d.labels ?? {}) };
  a['org.opencontainers.image.os'] = config.os;
  a['org.opencontainers.image.architecture'] = config.architecture;
  if (config.variant) a['org.opencontainers.image.variant'] = config.variant;
  if (config.author) a['org.opencontainers.image.author'] = config.author;
  if (config.created) a['org.opencontainers.image.created'] = config.created;
  if (d.exposedPorts) a['org.opencontainers.image.exposedPorts'] = d.exposedPorts.join(',');
  if (d.stopSignal) a['org.opencontainers.image.stopSignal'] = d.stopSignal;
  return a;
}
