import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KernelFeatureError, SyscallError } from '@tincan/libc-core';
import { NamespaceSpecError } from './errors';
import { libc } from './libc';
import { namespaceTypeOfFlag, procName, type NamespaceType } from './types';

/** The type of the namespace behind a namespace file (/proc/PID/ns/* or a bind mount of one). */
export function namespaceFileType(path: string): NamespaceType {
  const { nsGetType } = libc('checking a namespace file (ioctl NS_GET_NSTYPE)');
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new NamespaceSpecError(code === 'ENOENT' ? `namespace file does not exist: ${path}` : `cannot open namespace file ${path}: ${code}`);
  }
  try {
    const flag = nsGetType(fd, path);
    const type = namespaceTypeOfFlag(flag);
    if (type === undefined) throw new NamespaceSpecError(`${path}: unknown namespace type 0x${flag.toString(16)}`);
    return type;
  } catch (err) {
    // ENOTTY (or EINVAL on some filesystems): the fd is not on nsfs.
    if (err instanceof SyscallError) throw new NamespaceSpecError(`not a namespace file: ${path} (${err.code})`);
    throw err;
  } finally {
    closeSync(fd);
  }
}

/** Refuse a namespace type this kernel does not have (e.g. 'time' before Linux 5.6): no /proc/self/ns entry. */
export function assertKernelSupports(type: NamespaceType, nsDir = '/proc/self/ns'): void {
  if (existsSync(join(nsDir, procName(type)))) return;
  throw new KernelFeatureError(`${type} namespace`, `this kernel has no ${type} namespaces (${join(nsDir, procName(type))} is missing)`);
}

function nsPath(pid: number | 'self', type: NamespaceType): string {
  return `/proc/${pid}/ns/${procName(type)}`;
}

/** The inode number of /proc/PID/ns/<name>: two processes share the namespace iff it is the same. */
export function namespaceId(pid: number | 'self', type: NamespaceType): number {
  return statSync(nsPath(pid, type)).ino;
}

/** Whether two processes are in the same namespace of `type` (same nsfs device and inode). */
export function sameNamespace(a: number | 'self', b: number | 'self', type: NamespaceType): boolean {
  const sa = statSync(nsPath(a, type));
  const sb = statSync(nsPath(b, type));
  return sa.dev === sb.dev && sa.ino === sb.ino;
}
