// The compiled programs installed in the real kernel (seccomp(SECCOMP_SET_MODE_FILTER) through a tiny C
// loader), with real programs run under them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, nativeArch, profiles, syscallNumber } from '../src';
import { maxSyscallNumber } from '../src/syscalls';

const PYTHON = '/usr/bin/python3';
const SYSCALL_PY = join(__dirname, 'fixtures', 'syscall.py');
const EPERM = 1;
const ENOTTY = 25;
const ENOSYS = 38;
const HIGH = 2 ** 32; // a set bit in the high half of an argument register
const AF_INET = 2;
const AF_ALG = 38;
const AF_VSOCK = 40;
const SOCK_STREAM = 1;
const SOCK_SEQPACKET = 5;
const TCGETS = 0x5401;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;
const CLONE_NEWUSER = 0x10000000;
const KEYCTL_GET_KEYRING_ID = 0;
const KEY_SPEC_SESSION_KEYRING = -3;
const arch = nativeArch();

let dir: string;
let loader: string;
const programs: Record<string, string> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'seccomp-bpf-'));
  loader = join(dir, 'load-bpf');
  execFileSync('cc', ['-Wall', '-Wextra', '-Werror', '-O2', '-o', loader, join(__dirname, 'fixtures', 'load-bpf.c')]);
  const builds = {
    contained: compile(profiles.contained, { arch }),
    default: compile(profiles.default, { arch }),
    'default+CAP_SYS_ADMIN': compile(profiles.default, { arch, capabilities: ['CAP_SYS_ADMIN'] }),
  };
  for (const [name, prog] of Object.entries(builds)) {
    programs[name] = join(dir, `${name}.bpf`);
    writeFileSync(programs[name], prog);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `cmd` under the filter `profile` (or under none). */
function run(profile: string | null, cmd: string[]) {
  const argv = profile === null ? cmd : [loader, programs[profile], ...cmd];
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** One raw syscall under `profile`: [return value, errno]. An argument may be 'pty' or 'buf' (see syscall.py). */
function rawSyscall(profile: string | null, name: string | number, ...args: Array<number | string>): [number, number] {
  const nr = typeof name === 'number' ? name : syscallNumber(name, arch);
  const r = run(profile, [PYTHON, SYSCALL_PY, String(nr), ...args.map(String)]);
  expect(r).toMatchObject({ status: 0 });
  const [ret, errno] = r.stdout.trim().split(' ').map(Number);
  return [ret, errno];
}

function newFile(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  return path;
}

const isSetid = (path: string) => (statSync(path).mode & 0o6000) !== 0;

describe.each(['contained', 'default'])('under profiles.%s', (profile) => {
  it('the process is in seccomp filter mode', () => {
    const r = run(profile, ['cat', '/proc/self/status']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Seccomp:\s+2$/m);
  });

  it('ordinary commands still work (sh, pipes, ls, echo, perl, python threads)', () => {
    expect(run(profile, ['sh', '-c', 'echo hello | cat'])).toMatchObject({ status: 0, stdout: 'hello\n' });
    expect(run(profile, ['ls', '/'])).toMatchObject({ status: 0, stdout: expect.stringContaining('proc') });
    expect(run(profile, ['perl', '-e', 'print "perl ok\\n"'])).toMatchObject({ status: 0, stdout: 'perl ok\n' });
    // glibc's pthread_create tries clone3 first and falls back to clone on ENOSYS
    const threads = 'import threading; t = threading.Thread(target=print, args=("thread ok",)); t.start(); t.join()';
    expect(run(profile, [PYTHON, '-c', threads])).toMatchObject({ status: 0, stdout: 'thread ok\n' });
  });

  it('keyctl fails with EPERM', () => {
    expect(rawSyscall(null, 'keyctl', KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0)[1]).toBe(0);
    expect(rawSyscall(profile, 'keyctl', KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0)).toEqual([-1, EPERM]);
  });

  it('unshare -U fails with EPERM', () => {
    expect(run(null, ['unshare', '-U', 'true']).status).toBe(0);
    const r = run(profile, ['unshare', '-U', 'true']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Operation not permitted');
    expect(rawSyscall(profile, 'unshare', CLONE_NEWUSER)).toEqual([-1, EPERM]);
  });

  it('clone3 gets ENOSYS (without a filter this call is EINVAL)', () => {
    expect(rawSyscall(null, 'clone3', 0, 0)).toEqual([-1, 22]);
    expect(rawSyscall(profile, 'clone3', 0, 0)).toEqual([-1, ENOSYS]);
  });

  it('a syscall newer than our table gets ENOSYS, not the default action', () => {
    expect(rawSyscall(profile, maxSyscallNumber(arch) + 1, 0, 0, 0, 0)).toEqual([-1, ENOSYS]);
  });

  it('ioctl TIOCSTI and TIOCLINUX on a pty get EPERM, even with the high half set; TCGETS works', () => {
    expect(rawSyscall(null, 'ioctl', 'pty', HIGH + TIOCSTI, 'buf')).toEqual([0, 0]); // the kernel reads cmd as 32-bit
    expect(rawSyscall(null, 'ioctl', 'pty', TIOCLINUX, 'buf')).toEqual([-1, ENOTTY]); // a VT-only request
    for (const request of [TIOCSTI, HIGH + TIOCSTI, TIOCLINUX, HIGH + TIOCLINUX]) {
      expect({ request, got: rawSyscall(profile, 'ioctl', 'pty', request, 'buf') }).toEqual({ request, got: [-1, EPERM] });
    }
    expect(rawSyscall(profile, 'ioctl', 'pty', TCGETS, 'buf')).toEqual([0, 0]);
  });

  it('the x32 ABI is refused: the process is killed on x86_64 (aarch64 has none: ENOSYS)', () => {
    const r = run(profile, [PYTHON, SYSCALL_PY, String(0x40000000 | (syscallNumber('getpid', arch) as number))]);
    if (arch === 'x86_64') expect(r).toMatchObject({ status: null, signal: 'SIGSYS' });
    else expect(r).toMatchObject({ status: 0, stdout: `-1 ${ENOSYS}\n` });
  });
});

describe('setuid/setgid bits under profiles.contained', () => {
  it('chmod u+s and g+s fail with EPERM while a plain chmod works', () => {
    const file = newFile('coreutils');
    for (const mode of ['u+s', 'g+s', '4755']) {
      const r = run('contained', ['chmod', mode, file]);
      expect({ mode, status: r.status, stderr: r.stderr }).toMatchObject({ mode, status: 1, stderr: expect.stringContaining('Operation not permitted') });
    }
    expect(run('contained', ['chmod', '640', file]).status).toBe(0);
    expect(statSync(file).mode & 0o7777).toBe(0o640);
  });

  it.each([
    ['chmod', 'os.chmod(path, mode)'],
    ['fchmod', 'os.chmod(os.open(path, os.O_RDONLY), mode)'],
    ['fchmodat', 'os.chmod(os.path.basename(path), mode, dir_fd=os.open(os.path.dirname(path), os.O_RDONLY))'],
  ])('%s with S_ISUID/S_ISGID fails with EPERM, without them works', (name, call) => {
    const file = newFile(name);
    const script = (mode: number) => `import os; path, mode = ${JSON.stringify(file)}, ${mode}; ${call}`;
    for (const mode of [0o4755, 0o2755, 0o6700]) {
      const r = run('contained', [PYTHON, '-c', script(mode)]);
      expect({ mode, status: r.status, stderr: r.stderr }).toMatchObject({ mode, status: 1, stderr: expect.stringContaining('[Errno 1] Operation not permitted') });
      expect(isSetid(file)).toBe(false);
    }
    expect(run('contained', [PYTHON, '-c', script(0o750)]).status).toBe(0);
    expect(statSync(file).mode & 0o7777).toBe(0o750);
  });

  it('docker\'s default profile does not restrict chmod', () => {
    const file = newFile('docker');
    expect(run('default', ['chmod', 'u+s', file]).status).toBe(0);
    expect(isSetid(file)).toBe(true);
  });
});

describe('argument and io_uring rules of profiles.default', () => {
  const families = [['AF_VSOCK', AF_VSOCK, SOCK_STREAM], ['AF_ALG', AF_ALG, SOCK_SEQPACKET]] as const;
  it.each(families)('socket(%s) gets EPERM, also with 1 << 32 added (the kernel reads the same family)', (_name, family, type) => {
    const plain = rawSyscall(null, 'socket', family, type, 0);
    expect(plain[1]).not.toBe(EPERM); // a socket here, or EAFNOSUPPORT without the module
    expect(rawSyscall(null, 'socket', HIGH + family, type, 0)).toEqual([expect.any(Number), plain[1]]);
    expect(rawSyscall('default', 'socket', family, type, 0)).toEqual([-1, EPERM]);
    expect(rawSyscall('default', 'socket', HIGH + family, type, 0)).toEqual([-1, EPERM]);
  });

  it('other socket families work', () => {
    expect(rawSyscall('default', 'socket', AF_INET, SOCK_STREAM, 0)[0]).toBeGreaterThanOrEqual(0);
    expect(run('default', [PYTHON, '-c', 'import socket; socket.socketpair(); print("ok")'])).toMatchObject({ status: 0, stdout: 'ok\n' });
  });

  it.each<[string, number[]]>([
    ['io_uring_setup', [1, 0]],
    ['io_uring_enter', [-1, 0, 0, 0, 0, 0]],
    ['io_uring_register', [-1, 0, 0, 0]],
  ])('%s gets EPERM (without a filter: EFAULT or EBADF)', (name, args) => {
    expect(rawSyscall(null, name, ...args)[1]).not.toBe(EPERM);
    expect(rawSyscall('default', name, ...args)).toEqual([-1, EPERM]);
  });
});

describe('capability-conditional rules of profiles.default', () => {
  it('with CAP_SYS_ADMIN, unshare -U and clone3 are allowed', () => {
    expect(run('default+CAP_SYS_ADMIN', ['unshare', '-U', 'true']).status).toBe(0);
    expect(rawSyscall('default+CAP_SYS_ADMIN', 'clone3', 0, 0)).toEqual([-1, 22]);
  });
});
