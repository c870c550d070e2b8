import { readFileSync } from 'node:fs';

/** What this host offers for cgroup v2. */
export interface CgroupHost {
  /** The cgroup2 mount (/sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on hybrid), null if none. */
  mountpoint: string | null;
  /** unified: cgroup2 only; hybrid: cgroup2 beside v1 hierarchies; none: no cgroup2 mounted. */
  mode: 'unified' | 'hybrid' | 'none';
  /** Controllers available at the mountpoint, the root under which tincan creates its cgroups. */
  controllers: string[];
  /** This process's cgroup path (the `0::` line of /proc/self/cgroup), '' when there is none. */
  ownCgroup: string;
}

export interface MountEntry {
  mountpoint: string;
  fstype: string;
}

/** Undo mountinfo's octal escapes (\040 is a space in a path). */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount point and filesystem type of each /proc/self/mountinfo line. */
export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    // optional fields end at the lone '-'; the filesystem type follows it
    if (sep < 6 || fields[4] === undefined || fields[sep + 1] === undefined) continue;
    entries.push({ mountpoint: unescapeMountPath(fields[4]), fstype: fields[sep + 1] });
  }
  return entries;
}

/** The cgroup2 path of the `0::` line of /proc/<pid>/cgroup, '' when absent. */
export function parseProcCgroup(text: string): string {
  const line = text.split('\n').find((l) => l.startsWith('0::'));
  return line === undefined ? '' : line.slice(3);
}

/** The cgroup2 mount tincan should use: the canonical places first, then any. */
function pickCgroup2Mount(mounts: MountEntry[]): string | null {
  const points = mounts.filter((m) => m.fstype === 'cgroup2').map((m) => m.mountpoint);
  return points.find((p) => p === '/sys/fs/cgroup') ?? points.find((p) => p === '/sys/fs/cgroup/unified') ?? points[0] ?? null;
}

/** Host mode from its mount table: any v1 (`cgroup`) hierarchy beside cgroup2 makes it hybrid. */
export function cgroupModeOf(mounts: MountEntry[]): CgroupHost['mode'] {
  if (pickCgroup2Mount(mounts) === null) return 'none';
  return mounts.some((m) => m.fstype === 'cgroup') ? 'hybrid' : 'unified';
}

function readControllers(mountpoint: string | null): string[] {
  if (mountpoint === null) return [];
  return readFileSync(`${mountpoint}/cgroup.controllers`, 'utf8').trim().split(/\s+/).filter(Boolean);
}

/** Find the cgroup2 mount, the host's cgroup mode, the root's controllers and our own cgroup. */
export function detectCgroupV2(): CgroupHost {
  const mounts = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
  const mountpoint = pickCgroup2Mount(mounts);
  return {
    mountpoint,
    mode: cgroupModeOf(mounts),
    controllers: readControllers(mountpoint),
    ownCgroup: parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8')),
  };
}
