import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { SyscallError } from '@tincan/libc-core';
import { formatIdMap, parseProcIdMap, validateIdMap, type IdMapping } from './idmap';

export interface IdMapsToWrite {
  uidMap: readonly IdMapping[];
  gidMap: readonly IdMapping[];
  /** 'deny' makes setgroups(2) fail in the namespace; needed when the writer is not privileged over gids. */
  setgroups: 'deny' | 'allow';
}

function toSyscallError(err: unknown, path: string, text: string): unknown {
  const e = err as NodeJS.ErrnoException;
  if (typeof e.errno !== 'number') return err;
  return new SyscallError(e.syscall ?? 'write', Math.abs(e.errno), path, JSON.stringify(text));
}

/** Write `text` to a /proc file in one write(2): uid_map and gid_map take the whole map in one write or none. */
function writeProcFile(path: string, text: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY); // libuv adds O_CLOEXEC itself
    // The kernel takes all of it or fails: there are no short writes to these files.
    writeSync(fd, text);
  } catch (err) {
    throw toSyscallError(err, path, text);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Give the user namespace of `pid` its uid and gid maps (each can be written once, by a process with
 * CAP_SETUID/CAP_SETGID over the host ids). setgroups goes first: the kernel refuses to change it once
 * gid_map is written, and refuses an unprivileged gid_map while it is still 'allow' (CVE-2014-8989).
 * Both maps are validated before anything is written.
 */
export function writeIdMaps(pid: number, maps: IdMapsToWrite): void {
  validateIdMap(maps.uidMap);
  validateIdMap(maps.gidMap);
  writeProcFile(`/proc/${pid}/setgroups`, `${maps.setgroups}\n`);
  writeProcFile(`/proc/${pid}/uid_map`, formatIdMap(maps.uidMap));
  writeProcFile(`/proc/${pid}/gid_map`, formatIdMap(maps.gidMap));
}

/** The uid or gid map of the user namespace of `pid`, as the kernel reports it. */
export function readIdMap(pid: number | 'self', kind: 'uid' | 'gid'): IdMapping[] {
  return parseProcIdMap(readFileSync(`/proc/${pid}/${kind}_map`, 'utf8'));
}
