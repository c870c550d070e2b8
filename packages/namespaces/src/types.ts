import {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
} from '@tincan/libc-core';

/** The eight Linux namespace types, by their OCI names. */
export const NAMESPACE_TYPES = ['mount', 'pid', 'uts', 'ipc', 'net', 'cgroup', 'user', 'time'] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

interface NamespaceInfo {
  /** The CLONE_NEW* flag for clone(2)/unshare(2)/setns(2), also what NS_GET_NSTYPE returns. */
  flag: number;
  /** The file name under /proc/PID/ns/. */
  proc: string;
}

const INFO: Readonly<Record<NamespaceType, NamespaceInfo>> = {
  mount: { flag: CLONE_NEWNS, proc: 'mnt' },
  pid: { flag: CLONE_NEWPID, proc: 'pid' },
  uts: { flag: CLONE_NEWUTS, proc: 'uts' },
  ipc: { flag: CLONE_NEWIPC, proc: 'ipc' },
  net: { flag: CLONE_NEWNET, proc: 'net' },
  cgroup: { flag: CLONE_NEWCGROUP, proc: 'cgroup' },
  user: { flag: CLONE_NEWUSER, proc: 'user' },
  time: { flag: CLONE_NEWTIME, proc: 'time' },
};

export function isNamespaceType(value: unknown): value is NamespaceType {
  return typeof value === 'string' && (NAMESPACE_TYPES as readonly string[]).includes(value);
}

/** CLONE_NEWNS for 'mount', …, CLONE_NEWTIME (0x80) for 'time'. */
export function cloneFlag(type: NamespaceType): number {
  return INFO[type].flag;
}

/** 'mnt' for 'mount'; the other types keep their name. */
export function procName(type: NamespaceType): string {
  return INFO[type].proc;
}

/** The type whose CLONE_NEW* flag is `flag` (e.g. the result of NS_GET_NSTYPE). */
export function namespaceTypeOfFlag(flag: number): NamespaceType | undefined {
  return NAMESPACE_TYPES.find((type) => INFO[type].flag === flag);
}
