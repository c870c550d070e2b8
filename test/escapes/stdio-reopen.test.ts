// Class 8: the container's stdio are the caller's own file descriptions. Through /proc/self/fd/N (or
// /dev/stdin, /dev/stdout) the container reopens the *file*, not the fd: a file the caller opened
// read-only becomes writable (container root has CAP_DAC_OVERRIDE; a file owned by the container's uid
// needs nothing), and an O_APPEND log can be truncated with O_TRUNC. The caller's files must come out
// as the caller's open mode allows: unchanged for stdin, only appended to for stdout and stderr.
import { chmodSync, chownSync, closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOTFS } from '../e2e/helpers';
import { cli, expectClean, rand, removeScratch, scratch } from './helpers';

describe('escape class 8: the caller\'s stdio reopened through /proc/self/fd', () => {
  let base: string;
  /** -i where `tincan run` has it (stdin is then passed on); before that stdin was always passed on */

  beforeAll(() => {
    base = scratch();
  });
  afterAll(() => removeScratch(base));
  afterEach(() => expectClean(base));

  const WRITE_STDIN = 'echo PWNED > /proc/self/fd/0; echo PWNED > /dev/stdin; probe write /proc/self/fd/0 PWNED; true';

  it.each([
    ['root, a 0444 root-owned file', [], 0, 0o444],
    ['-u 1000, a 0644 file owned by uid 1000', ['-u', '1000'], 1000, 0o644],
  ])('as %s given read-only as stdin (-i): the file stays unchanged', (_name, flags: string[], owner: number, mode: number) => {
    const file = join(base, `stdin-${rand()}`);
    const original = `caller-data-${rand()}\n`;
    writeFileSync(file, original);
    chownSync(file, owner, owner);
    chmodSync(file, mode);
    const fd = openSync(file, 'r');
    try {
      cli(['run', '-i', ...flags, ROOTFS, 'sh', '-c', WRITE_STDIN], { stdio: [fd, 'pipe', 'pipe'] });
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe(original);
  });

  it('stdout and stderr opened O_APPEND cannot be truncated or rewritten through /proc/self/fd/1 and /proc/self/fd/2', () => {
    const out = join(base, `out-${rand()}`);
    const err = join(base, `err-${rand()}`);
    writeFileSync(out, 'ORIGINAL-OUT\n');
    writeFileSync(err, 'ORIGINAL-ERR\n');
    const outFd = openSync(out, 'a');
    const errFd = openSync(err, 'a');
    try {
      cli(['run', ROOTFS, 'sh', '-c', 'echo PWNED > /proc/self/fd/1; echo PWNED > /dev/stderr; : > /dev/stdout; probe write /proc/self/fd/2 XX'], {
        stdio: ['ignore', outFd, errFd],
      });
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    // whatever the container wrote can only have been appended
    expect(readFileSync(out, 'utf8')).toMatch(/^ORIGINAL-OUT\n/);
    expect(readFileSync(err, 'utf8')).toMatch(/^ORIGINAL-ERR\n/);
  });

  it('stdin without -i is not the caller\'s file (docker: /dev/null)', () => {
    const file = join(base, `stdin-${rand()}`);
    writeFileSync(file, 'secret input\n');
    const fd = openSync(file, 'r');
    try {
      expect(cli(['run', ROOTFS, 'cat'], { stdio: [fd, 'pipe', 'pipe'] }).stdout).toBe('');
    } finally {
      closeSync(fd);
    }
  });

  it('-i still passes stdin through', () => {
    expect(cli(['run', '-i', ROOTFS, 'cat'], { input: 'piped\n' }).stdout).toBe('piped\n');
  });
});
