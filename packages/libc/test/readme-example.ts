import { closeSync, readSync } from 'node:fs';
import { AT_FDCWD, O_CLOEXEC, O_DIRECTORY, O_PATH, O_RDONLY, openat2, RESOLVE_IN_ROOT, SyscallError } from '../src';

export function readInRoot(root: string, path: string): string {
  const dir = openat2(AT_FDCWD, root, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
  try {
    // "/etc/passwd", "../../etc/passwd" and symlinks to them all stay inside `root`
    const fd = openat2(dir, path, O_RDONLY | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf);
    closeSync(fd);
    return buf.subarray(0, n).toString();
  } catch (e) {
    if (e instanceof SyscallError) return `${e.syscall} ${e.path}: ${e.code}`; // e.g. "openat2 x: ENOENT"
    throw e;
  } finally {
    closeSync(dir);
  }
}
