import { readFileSync } from 'node:fs';
import { CLONE_NEWNS, CLONE_NEWPID, SyscallError } from '../src';

export const flags = CLONE_NEWNS | CLONE_NEWPID; // 0x20020000: a new mount and pid namespace, for clone3

/** The first line of a file, or a SyscallError naming errno, the syscall and the path. */
export function firstLine(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n')[0] ?? '';
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SyscallError(e.syscall ?? 'open', Math.abs(e.errno ?? 0), path); // e.g. "open /nope: ENOENT"
  }
}
