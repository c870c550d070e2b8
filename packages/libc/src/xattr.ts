import { constants } from 'node:os';
import { SyscallError } from '@tincan/libc-core';
import { errno, fn } from './lib';

const { ENODATA, ENOTSUP, ERANGE } = constants.errno;
const MAX_XATTR_VALUE = 65536;

const lgetxattrC = fn<(path: string, name: string, value: Buffer, size: number) => number | bigint>(
  'long lgetxattr(const char *path, const char *name, void *value, size_t size)',
);

/** lgetxattr(2): the value of extended attribute `name` of `path` (a final symlink is not followed); undefined when unset. */
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const buf = Buffer.alloc(MAX_XATTR_VALUE);
  // lgetxattr(2): reads the attribute of the link itself, never of what it points to
  const n = Number(lgetxattrC(path, name, buf, buf.length));
  if (n >= 0) return Buffer.from(buf.subarray(0, n));
  const e = errno();
  if (e === ENODATA || e === ENOTSUP) return undefined;
  throw new SyscallError('lgetxattr', e, path, e === ERANGE ? `value of ${name} larger than ${MAX_XATTR_VALUE}` : name);
}
