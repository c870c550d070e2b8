import { isDeepStrictEqual } from 'node:util';
import { type Arch, AUDIT_ARCH, compile, type CompileOptions, profiles, type SeccompProfile, syscallNumber } from '../src';
import { maxSyscallNumber } from '../src/syscalls';
import { checkStructure, type SeccompData, type Verdict, verdict } from './bpf-interpreter';
import { expected } from './reference';

const EPERM = 1;
const ENOSYS = 38;
const CLONE_NEWUSER = 0x10000000;
const CLONE_NEWNS = 0x00020000;
const CLONE_NEWNET = 0x40000000;
const FORK_FLAGS = 0x01200011; // SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID: glibc's fork
const THREAD_FLAGS = 0x003d0f00; // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;
const TCGETS = 0x5401;
const AF_INET = 2;
const AF_ALG = 38;
const AF_VSOCK = 40;
const HIGH = 1n << 32n;
const GARBAGE = 0xdeadbeefn << 32n;
const ALLOW = { action: 'allow' };
const ERRNO = (data: number) => ({ action: 'errno', data });
/** Names in profiles.default that are newer than the kernel headers the tables were generated from. */
const NEWER_THAN_TABLES = ['cachestat', 'fchmodat2', 'futex_requeue', 'futex_wait', 'futex_wake', 'map_shadow_stack',
  'getxattrat', 'listmount', 'listxattrat', 'lsm_get_self_attr', 'lsm_list_modules', 'lsm_set_self_attr', 'mseal',
  'removexattrat', 'setxattrat', 'statmount', 'uretprobe'];

function call(prog: Buffer, arch: Arch, name: string, args: Array<number | bigint> = []) {
  const nr = syscallNumber(name, arch);
  if (nr === undefined) throw new Error(`no ${name} on ${arch}`);
  return verdict(prog, { nr, arch: AUDIT_ARCH[arch], args });
}

/** Argument vectors that exercise every rule of the built-in profiles on both sides. */
const ARG_SAMPLES: Array<Array<number | bigint>> = [[], [0], [8], [0xffffffff], [FORK_FLAGS], [CLONE_NEWUSER],
  [CLONE_NEWNS], [AF_INET], [AF_ALG - 1], [AF_ALG], [AF_ALG + 1], [AF_VSOCK], [AF_VSOCK + 1], [HIGH | BigInt(AF_VSOCK)],
  [3, TIOCSTI], [3, TIOCLINUX], [3, TCGETS], [3, HIGH | BigInt(TIOCSTI)], [0, 0o4755, 0o2755], [0, 0o755, 0o755],
  [-100, 0, 0o6755], [0, 0x10000 | 0o4755]];

/** `args` with garbage in every high half, where the kernel does not look at an int or umode_t argument. */
const withGarbage = (args: ReadonlyArray<number | bigint>) => args.map((a) => BigInt.asUintN(64, BigInt(a)) | GARBAGE);

/** Every syscall number up to `maxNr` with every argument sample. */
function everyInput(arch: Arch, maxNr: number): SeccompData[] {
  return [...Array(maxNr + 1).keys()].flatMap((nr) => ARG_SAMPLES.map((args) => ({ nr, arch: AUDIT_ARCH[arch], args })));
}

/** The inputs where `got` and `want` disagree (collected, so that one expect reports them all quickly). */
function mismatches(inputs: SeccompData[], got: (i: SeccompData) => Verdict, want: (i: SeccompData) => Verdict) {
  return inputs.map((input) => ({ input, got: got(input), want: want(input) })).filter((r) => !isDeepStrictEqual(r.got, r.want));
}

describe.each<[string, SeccompProfile]>([['contained', profiles.contained], ['default', profiles.default]])('profiles.%s', (_name, profile) => {
  describe.each<[Arch, string[]]>([['x86_64', []], ['x86_64', ['CAP_SYS_ADMIN', 'CAP_SYS_PTRACE']], ['aarch64', []]])('on %s with caps %j', (arch, capabilities) => {
    const options: CompileOptions = { arch, capabilities };
    const prog = compile(profile, options);

    it('is a valid program well under BPF_MAXINSNS', () => {
      checkStructure(prog);
      expect(prog.length % 8).toBe(0);
      expect(prog.length / 8).toBeLessThan(4096);
    });

    it('agrees with the profile for every syscall number and argument sample', () => {
      const inputs = everyInput(arch, maxSyscallNumber(arch) + 3);
      expect(inputs.length).toBeGreaterThan(4000);
      expect(mismatches(inputs, (input) => verdict(prog, input), (input) => expected(profile, options, input))).toEqual([]);
    });

    it('gives the same verdict with garbage in the high halves: every argument it tests is an int or umode_t', () => {
      const garbled = (input: SeccompData) => verdict(prog, { ...input, args: withGarbage(input.args ?? []) });
      expect(mismatches(everyInput(arch, maxSyscallNumber(arch)), garbled, (input) => verdict(prog, input))).toEqual([]);
    });
  });
});

describe('profiles.default (docker)', () => {
  const x86 = compile(profiles.default, { arch: 'x86_64' });
  const admin = compile(profiles.default, { arch: 'x86_64', capabilities: ['CAP_SYS_ADMIN'] });
  const arm = compile(profiles.default, { arch: 'aarch64' });

  it('needs long jumps and fits', () => {
    const jas = [...Array(x86.length / 8).keys()].filter((i) => x86.readUInt16LE(i * 8) === 0x05);
    expect(jas.length).toBeGreaterThan(0);
    expect(x86.length / 8).toBeLessThan(4096);
  });

  it.each<[string, number[], object]>([
    ['read', [], ALLOW],
    ['write', [], ALLOW],
    ['openat', [], ALLOW],
    ['execve', [], ALLOW],
    ['futex', [], ALLOW],
    ['writev', [], ALLOW],
    ['arch_prctl', [], ALLOW],
    ['ptrace', [], ALLOW],
    ['mount', [], ERRNO(EPERM)],
    ['umount2', [], ERRNO(EPERM)],
    ['keyctl', [], ERRNO(EPERM)],
    ['add_key', [], ERRNO(EPERM)],
    ['reboot', [], ERRNO(EPERM)],
    ['kexec_load', [], ERRNO(EPERM)],
    ['init_module', [], ERRNO(EPERM)],
    ['unshare', [CLONE_NEWUSER], ERRNO(EPERM)],
    ['setns', [], ERRNO(EPERM)],
    ['open_by_handle_at', [], ERRNO(EPERM)],
    ['clone', [FORK_FLAGS], ALLOW],
    ['clone', [THREAD_FLAGS], ALLOW],
    ['clone', [FORK_FLAGS | CLONE_NEWUSER], ERRNO(EPERM)],
    ['clone', [CLONE_NEWNET], ERRNO(EPERM)],
    ['clone3', [], ERRNO(ENOSYS)],
    ['personality', [0], ALLOW],
    ['personality', [8], ALLOW],
    ['personality', [0xffffffff], ALLOW],
    ['personality', [1], ERRNO(EPERM)],
    ['socket', [AF_INET], ALLOW],
    ['socket', [AF_ALG - 1], ALLOW],
    ['socket', [AF_ALG], ERRNO(EPERM)],
    ['socket', [AF_ALG + 1], ALLOW],
    ['socket', [AF_VSOCK], ERRNO(EPERM)],
    ['socket', [AF_VSOCK + 1], ALLOW],
    ['io_uring_setup', [], ERRNO(EPERM)],
    ['io_uring_enter', [], ERRNO(EPERM)],
    ['io_uring_register', [], ERRNO(EPERM)],
    ['ioctl', [0, TIOCSTI], ERRNO(EPERM)],
    ['ioctl', [0, TIOCLINUX], ERRNO(EPERM)],
    ['ioctl', [0, TCGETS], ALLOW],
  ])('x86_64 without caps: %s(%j) → %j', (name, args, want) => {
    expect(call(x86, 'x86_64', name, args)).toEqual(want);
  });

  it.each<[string, number[], object]>([
    ['mount', [], ALLOW],
    ['unshare', [CLONE_NEWUSER], ALLOW],
    ['clone', [CLONE_NEWUSER], ALLOW],
    ['clone3', [], ALLOW],
    ['setns', [], ALLOW],
    ['reboot', [], ERRNO(EPERM)],
  ])('x86_64 with CAP_SYS_ADMIN: %s(%j) → %j', (name, args, want) => {
    expect(call(admin, 'x86_64', name, args)).toEqual(want);
  });

  it.each<[string, string, bigint[]]>([
    ['socket', '(1 << 32) | AF_VSOCK', [HIGH | BigInt(AF_VSOCK), 1n, 0n]],
    ['socket', '0xffffffff00000000 | AF_ALG', [0xffffffff00000000n | BigInt(AF_ALG), 5n, 0n]],
    ['ioctl', 'fd, (1 << 32) | TIOCSTI', [0n, HIGH | BigInt(TIOCSTI)]],
    ['ioctl', 'fd, 0xdeadbeef00000000 | TIOCLINUX', [0n, GARBAGE | BigInt(TIOCLINUX)]],
  ])('%s(%s) gets EPERM: the kernel reads only the low 32 bits of the argument', (name, _shown, args) => {
    expect(call(x86, 'x86_64', name, args)).toEqual(ERRNO(EPERM));
    expect(call(arm, 'aarch64', name, args)).toEqual(ERRNO(EPERM));
  });

  it.each<[string, number[]]>([['socket', [AF_VSOCK]], ['ioctl', [0, TIOCSTI]], ['ioctl', [0, TIOCLINUX]]])(
    'denies %s(%j) with the profile\'s errno, like docker', (name, args) => {
      expect(call(x86, 'x86_64', name, args)).toEqual(ERRNO(profiles.default.defaultErrno as number));
    },
  );

  it('uses the aarch64 numbers on aarch64', () => {
    expect(call(arm, 'aarch64', 'openat')).toEqual(ALLOW);
    expect(call(arm, 'aarch64', 'keyctl')).toEqual(ERRNO(EPERM));
    expect(call(arm, 'aarch64', 'clone', [CLONE_NEWUSER])).toEqual(ERRNO(EPERM));
    // x86_64's arch_prctl number (158) is getgroups on aarch64, which docker allows
    expect(verdict(arm, { nr: 158, arch: AUDIT_ARCH.aarch64 })).toEqual(ALLOW);
    expect(syscallNumber('arch_prctl', 'aarch64')).toBeUndefined();
  });

  it('names only syscalls our tables know, apart from ones newer than the headers', () => {
    const names = new Set(profiles.default.syscalls.flatMap((r) => r.names));
    const unknown = [...names].filter((n) => syscallNumber(n, 'x86_64') === undefined && syscallNumber(n, 'aarch64') === undefined);
    expect(unknown.filter((n) => !NEWER_THAN_TABLES.includes(n))).toEqual([]);
  });
});

describe('profiles.contained', () => {
  const x86 = compile(profiles.contained, { arch: 'x86_64' });

  it.each<[string, number[], object]>([
    ['keyctl', [], ERRNO(EPERM)],
    ['request_key', [], ERRNO(EPERM)],
    ['ptrace', [], ERRNO(EPERM)],
    ['userfaultfd', [], ERRNO(EPERM)],
    ['perf_event_open', [], ERRNO(EPERM)],
    ['io_uring_setup', [], ERRNO(EPERM)],
    ['io_uring_enter', [], ERRNO(EPERM)],
    ['io_uring_register', [], ERRNO(EPERM)],
    ['move_pages', [], ERRNO(EPERM)],
    ['socket', [40, 1, 0], ERRNO(EPERM)],
    ['socket', [38, 5, 0], ERRNO(EPERM)],
    ['socket', [2, 1, 0], ALLOW],
    ['chmod', [0, 0o4755], ERRNO(EPERM)],
    ['chmod', [0, 0o2755], ERRNO(EPERM)],
    ['chmod', [0, 0o1777], ALLOW],
    ['chmod', [0, 0o755], ALLOW],
    ['fchmod', [3, 0o6700], ERRNO(EPERM)],
    ['fchmod', [3, 0o700], ALLOW],
    ['fchmodat', [-100, 0, 0o4700], ERRNO(EPERM)],
    ['fchmodat', [-100, 0o4700, 0o700], ALLOW],
    ['unshare', [CLONE_NEWUSER | CLONE_NEWNS], ERRNO(EPERM)],
    ['unshare', [CLONE_NEWNS], ALLOW],
    ['clone', [FORK_FLAGS], ALLOW],
    ['clone', [CLONE_NEWUSER], ERRNO(EPERM)],
    ['clone', [CLONE_NEWNET], ALLOW],
    ['clone3', [], ERRNO(ENOSYS)],
    ['ioctl', [0, TIOCSTI], ERRNO(EPERM)],
    ['ioctl', [0, TIOCLINUX], ERRNO(EPERM)],
    ['ioctl', [0, TCGETS], ALLOW],
    ['mount', [], ALLOW],
    ['read', [], ALLOW],
  ])('%s(%j) → %j', (name, args, want) => {
    expect(call(x86, 'x86_64', name, args)).toEqual(want);
  });

  it('catches TIOCSTI with garbage in the high half (the kernel reads cmd as 32-bit)', () => {
    const nr = syscallNumber('ioctl', 'x86_64') as number;
    expect(verdict(x86, { nr, arch: AUDIT_ARCH.x86_64, args: [0, 0x100000000n | BigInt(TIOCSTI)] })).toEqual(ERRNO(EPERM));
  });

  it('is the same deny list on aarch64 (which has no chmod)', () => {
    const arm = compile(profiles.contained, { arch: 'aarch64' });
    expect(call(arm, 'aarch64', 'fchmodat', [-100, 0, 0o4755])).toEqual(ERRNO(EPERM));
    expect(call(arm, 'aarch64', 'keyctl')).toEqual(ERRNO(EPERM));
    expect(call(arm, 'aarch64', 'clone', [CLONE_NEWUSER])).toEqual(ERRNO(EPERM));
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(profiles.contained)).toBe(true);
    expect(Object.isFrozen(profiles.contained.syscalls[0].names)).toBe(true);
  });
});
