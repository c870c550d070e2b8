import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { closeSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openat2, O_RDONLY, O_CLOEXEC, O_PATH, O_DIRECTORY, RESOLVE_IN_ROOT, AT_FDCWD, SyscallError } from '../src';

describe('openat2 RESOLVE_IN_ROOT', () => {
  const root = mkdtempSync(join(tmpdir(), 'libc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps an absolute symlink inside the root', () => {
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'passwd'), 'inside\n');
    symlinkSync('/etc/passwd', join(root, 'link'));
    const dir = openat2(AT_FDCWD, root, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
    const fd = openat2(dir, 'link', O_RDONLY | O_CLOEXEC, 0, RESOLVE_IN_ROOT);
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf);
    closeSync(fd);
    closeSync(dir);
    expect(buf.subarray(0, n).toString()).toBe('inside\n');
    expect(readFileSync('/etc/passwd', 'utf8')).not.toBe('inside\n');
  });

  it('throws a SyscallError carrying errno, syscall and path', () => {
    const dir = openat2(AT_FDCWD, root, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
    let err: unknown;
    try {
      openat2(dir, 'missing/file', O_RDONLY, 0, RESOLVE_IN_ROOT);
    } catch (e) {
      err = e;
    }
    closeSync(dir);
    expect(err).toBeInstanceOf(SyscallError);
    expect(err).toMatchObject({ syscall: 'openat2', code: 'ENOENT', errno: 2, path: 'missing/file' });
  });
});
