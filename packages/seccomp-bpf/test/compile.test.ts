import {
  type Action, type ArgCondition, type Arch, AUDIT_ARCH, type ComparisonOp, compile, type CompileOptions,
  SeccompProfileError, type SeccompProfile, syscallNumber,
} from '../src';
import { argWidth } from '../src/arg-widths';
import { maxSyscallNumber } from '../src/syscalls';
import { SYSCALLS_X86_64 } from '../src/syscalls-x86_64';
import { checkStructure, verdict } from './bpf-interpreter';
import { holds } from './reference';

const EPERM = 1;
const ENOSYS = 38;
const AUDIT_ARCH_I386 = 0x40000003;
const AUDIT_ARCH_ARM = 0x40000028;
const AF_INET = 2;
const AF_VSOCK = 40;
const HIGH = 1n << 32n;

function nr(name: string, arch: Arch = 'x86_64'): number {
  const n = syscallNumber(name, arch);
  if (n === undefined) throw new Error(`no ${name} on ${arch}`);
  return n;
}

/** The compiled program's verdict for syscall `name` with `args` on `arch`. */
function call(prog: Buffer, name: string, args: Array<bigint | number> = [], arch: Arch = 'x86_64') {
  return verdict(prog, { nr: nr(name, arch), arch: AUDIT_ARCH[arch], args });
}

function build(profile: SeccompProfile, options: CompileOptions): Buffer {
  const prog = compile(profile, options);
  checkStructure(prog);
  return prog;
}

const allowAll = (syscalls: SeccompProfile['syscalls']): SeccompProfile => ({ defaultAction: 'allow', syscalls });
const ERRNO = (data: number) => ({ action: 'errno', data });
const ALLOW = { action: 'allow' };
const KILL = { action: 'kill_process' };

describe.each<Arch>(['x86_64', 'aarch64'])('program header and tail on %s', (arch) => {
  const prog = build(allowAll([{ names: ['getpid'], action: 'errno', errno: 13 }]), { arch });
  const getpid = nr('getpid', arch);

  it.each([
    ['the native arch', AUDIT_ARCH[arch], ERRNO(13)],
    ['the other 64-bit arch', AUDIT_ARCH[arch === 'x86_64' ? 'aarch64' : 'x86_64'], KILL],
    ['i386 compat calls', AUDIT_ARCH_I386, KILL],
    ['arm32 compat calls', AUDIT_ARCH_ARM, KILL],
  ])('%s → %j', (_what, audit, want) => {
    expect(verdict(prog, { nr: getpid, arch: audit })).toEqual(want);
  });

  it('gives ENOSYS to syscall numbers above the table, so libc falls back', () => {
    expect(verdict(prog, { nr: maxSyscallNumber(arch) + 1, arch: AUDIT_ARCH[arch] })).toEqual(ERRNO(ENOSYS));
    expect(verdict(prog, { nr: 1000, arch: AUDIT_ARCH[arch] })).toEqual(ERRNO(ENOSYS));
  });

  it('gives the default action to unused numbers inside the table', () => {
    expect(verdict(prog, { nr: 400, arch: AUDIT_ARCH[arch] })).toEqual(ALLOW);
    expect(verdict(prog, { nr: maxSyscallNumber(arch), arch: AUDIT_ARCH[arch] })).toEqual(ALLOW);
  });
});

describe('the x32 ABI on x86_64', () => {
  const prog = build(allowAll([]), { arch: 'x86_64' });
  it.each([0x40000000 | 39, 0x40000000 | 512, 0x40000000, -1])('nr 0x%s is killed', (n) => {
    expect(verdict(prog, { nr: n, arch: AUDIT_ARCH.x86_64 })).toEqual(KILL);
  });
  it('leaves aarch64 numbers with bit 30 to the ENOSYS rule (no x32 there)', () => {
    const arm = build(allowAll([]), { arch: 'aarch64' });
    expect(verdict(arm, { nr: 0x40000000 | 39, arch: AUDIT_ARCH.aarch64 })).toEqual(ERRNO(ENOSYS));
  });
});

describe('actions', () => {
  it.each<[Action, number | undefined, unknown]>([
    ['allow', undefined, ALLOW],
    ['errno', undefined, ERRNO(EPERM)],
    ['errno', 13, ERRNO(13)],
    ['errno', 0, ERRNO(0)],
    ['kill_process', undefined, KILL],
    ['kill_thread', undefined, { action: 'kill_thread' }],
    ['trap', undefined, { action: 'trap', data: 0 }],
    ['log', undefined, { action: 'log' }],
    ['trace', 7, { action: 'trace', data: 7 }],
  ])('%s (errno %s)', (action, errno, want) => {
    const prog = build({ defaultAction: 'allow', syscalls: [{ names: ['getpid'], action, ...(errno === undefined ? {} : { errno }) }] }, { arch: 'x86_64' });
    expect(call(prog, 'getpid')).toEqual(want);
    expect(call(prog, 'getppid')).toEqual(ALLOW);
  });

  it('applies the default action and defaultErrno', () => {
    const prog = build({ defaultAction: 'errno', defaultErrno: 95, syscalls: [{ names: ['read'], action: 'allow' }] }, { arch: 'x86_64' });
    expect(call(prog, 'read')).toEqual(ALLOW);
    expect(call(prog, 'write')).toEqual(ERRNO(95));
    const plain = build({ defaultAction: 'errno', syscalls: [] }, { arch: 'x86_64' });
    expect(call(plain, 'write')).toEqual(ERRNO(EPERM));
  });
});

describe('64-bit argument comparisons', () => {
  const OPS: ComparisonOp[] = ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'MASKED_EQ'];
  // values that sit on either side of the 32-bit boundary and differ only in one half
  const VALUES = [0n, 1n, 5n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 0x100000001n, 0x100000005n, 0x200000000n,
    0x1234567800000000n, 0xffffffff00000000n, 0xfffffffffffffffen, 0xffffffffffffffffn];

  it.each(OPS)('%s agrees with 64-bit arithmetic on every pair of boundary values', (op) => {
    for (const value of VALUES) {
      const cond: ArgCondition = op === 'MASKED_EQ'
        ? { index: 2, op, value, valueTwo: value & 0xff00000000ffn }
        : { index: 2, op, value };
      const prog = build(allowAll([{ names: ['getpid'], action: 'errno', args: [cond] }]), { arch: 'x86_64' });
      for (const arg of VALUES) {
        const want = holds(cond, arg) ? ERRNO(EPERM) : ALLOW;
        expect({ op, value, arg, got: call(prog, 'getpid', [0, 0, arg]) }).toEqual({ op, value, arg, got: want });
      }
    }
  });

  it.each<[string, ArgCondition, bigint, boolean]>([
    ['EQ needs the high half too', { index: 0, op: 'EQ', value: 5 }, 0x100000005n, false],
    ['GT decided by the high half', { index: 0, op: 'GT', value: 0x100000000n }, 0xffffffffn, false],
    ['GT on a tie looks at the low half', { index: 0, op: 'GT', value: 0x100000000n }, 0x100000001n, true],
    ['LT decided by the high half', { index: 0, op: 'LT', value: 0x200000000n }, 0x1ffffffffn, true],
    ['LE on equal values', { index: 0, op: 'LE', value: 0xffffffff00000000n }, 0xffffffff00000000n, true],
    ['GE below', { index: 0, op: 'GE', value: 0x100000000n }, 0xffffffffn, false],
    ['NE differs only in the high half', { index: 0, op: 'NE', value: 7 }, 0x700000007n, true],
    ['MASKED_EQ on both halves', { index: 0, op: 'MASKED_EQ', value: 0xf0000000fn, valueTwo: 0x100000002n }, 0x134567812n, true],
    ['MASKED_EQ high half mismatch', { index: 0, op: 'MASKED_EQ', value: 0xf0000000fn, valueTwo: 0x100000002n }, 0x234567812n, false],
    ['a negative value is its two\'s complement', { index: 0, op: 'EQ', value: -100 }, 0xffffffffffffff9cn, true],
  ])('%s', (_what, cond, arg, matches) => {
    const prog = build(allowAll([{ names: ['getpid'], action: 'errno', args: [cond] }]), { arch: 'x86_64' });
    expect(call(prog, 'getpid', [arg])).toEqual(matches ? ERRNO(EPERM) : ALLOW);
  });

  it.each([0, 1, 2, 3, 4, 5] as const)('reads argument %i from its own slot', (index) => {
    const prog = build(allowAll([{ names: ['getpid'], action: 'errno', args: [{ index, op: 'EQ', value: 0xabc00000def }] }]), { arch: 'x86_64' });
    const args = [0, 0, 0, 0, 0, 0].map((_, i) => (i === index ? 0xabc00000defn : 0xdefn));
    expect(call(prog, 'getpid', args)).toEqual(ERRNO(EPERM));
    expect(call(prog, 'getpid', args.map((_, i) => (i === index ? 0xdefn : 0xabc00000defn)))).toEqual(ALLOW);
  });
});

describe('arguments the kernel reads narrower than 64 bits', () => {
  const OPS: ComparisonOp[] = ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'MASKED_EQ'];
  // values that fit an int (AT_FDCWD sign-extended too), and arguments with and without garbage in the high half
  const VALUES = [0n, 1n, 5n, 40n, 0x7fffffffn, 0x80000000n, 0xfffffffen, 0xffffffffn, -100n];
  const ARGS = [0n, 5n, 40n, 0xffffffffn, HIGH, HIGH | 5n, HIGH | 40n, 0xdeadbeef00000028n, 0xffffffffffffff9cn, 0xffffff9cn];
  const denySocket = (cond: ArgCondition) => build(allowAll([{ names: ['socket'], action: 'errno', args: [cond] }]), { arch: 'x86_64' });

  it.each<[string, number, number]>([
    ['socket', 0, 32], ['socket', 1, 32], ['socket', 2, 32], ['ioctl', 1, 32], ['ioctl', 2, 64], ['fcntl', 1, 32],
    ['setsockopt', 2, 32], ['prctl', 0, 32], ['prctl', 1, 64], ['personality', 0, 32], ['clone', 0, 32],
    ['unshare', 0, 64], ['mount', 3, 64], ['chmod', 0, 64], ['chmod', 1, 16], ['fchmodat', 2, 16], ['openat', 3, 16],
    ['getpid', 0, 64], ['toString', 0, 64], ['__proto__', 0, 64],
  ])('%s argument %i is %i-bit', (name, index, width) => {
    expect(argWidth(name, index)).toBe(width);
  });

  it('socket((1 << 32) | AF_VSOCK) does not pass a "family != AF_VSOCK" rule: the kernel makes an AF_VSOCK socket', () => {
    const prog = build({ defaultAction: 'errno', syscalls: [{ names: ['socket'], action: 'allow', args: [{ index: 0, op: 'NE', value: AF_VSOCK }] }] }, { arch: 'x86_64' });
    expect(call(prog, 'socket', [AF_VSOCK, 1, 0])).toEqual(ERRNO(EPERM));
    expect(call(prog, 'socket', [HIGH | BigInt(AF_VSOCK), 1, 0])).toEqual(ERRNO(EPERM));
    expect(call(prog, 'socket', [0xffffffff00000000n | BigInt(AF_VSOCK), 1, 0])).toEqual(ERRNO(EPERM));
    expect(call(prog, 'socket', [AF_INET, 1, 0])).toEqual(ALLOW);
    expect(call(prog, 'socket', [HIGH | BigInt(AF_INET), 1, 0])).toEqual(ALLOW);
  });

  it.each(OPS)('%s on an int argument agrees with 32-bit arithmetic, whatever the high half holds', (op) => {
    for (const value of VALUES) {
      const cond: ArgCondition = op === 'MASKED_EQ' ? { index: 0, op, value, valueTwo: value & 0xf0000005n } : { index: 0, op, value };
      const prog = denySocket(cond);
      for (const arg of ARGS) {
        const want = holds(cond, arg, 32) ? ERRNO(EPERM) : ALLOW;
        expect({ op, value, arg, got: call(prog, 'socket', [arg]) }).toEqual({ op, value, arg, got: want });
      }
    }
  });

  it('compares only the low half of an int argument: one load and one jump', () => {
    const eq = (name: string) => build(allowAll([{ names: [name], action: 'errno', args: [{ index: 0, op: 'EQ', value: 5 }] }]), { arch: 'x86_64' }).length / 8;
    expect(eq('getpid') - eq('socket')).toBe(2);
  });

  it('matches a negative value in an int argument however it was extended (AT_FDCWD)', () => {
    const prog = build(allowAll([{ names: ['fchmodat'], action: 'errno', args: [{ index: 0, op: 'EQ', value: -100 }] }]), { arch: 'x86_64' });
    expect(call(prog, 'fchmodat', [0xffffffffffffff9cn])).toEqual(ERRNO(EPERM));
    expect(call(prog, 'fchmodat', [0xffffff9cn])).toEqual(ERRNO(EPERM));
    expect(call(prog, 'fchmodat', [0x9cn])).toEqual(ALLOW);
  });

  it('reads a umode_t as 16 bits, as the kernel does', () => {
    const prog = build(allowAll([
      { names: ['chmod'], action: 'errno', errno: 10, args: [{ index: 1, op: 'EQ', value: 0o4755 }] },
      { names: ['chmod'], action: 'errno', errno: 20, args: [{ index: 1, op: 'MASKED_EQ', value: 0o2000, valueTwo: 0o2000 }] },
    ]), { arch: 'x86_64' });
    expect(call(prog, 'chmod', [0, 0o4755])).toEqual(ERRNO(10));
    expect(call(prog, 'chmod', [0, 0x10000 | 0o4755])).toEqual(ERRNO(10));
    expect(call(prog, 'chmod', [0, 0xffffffff00000000n | 0o4755n])).toEqual(ERRNO(10));
    expect(call(prog, 'chmod', [0, 0x30000 | 0o2755])).toEqual(ERRNO(20));
    expect(call(prog, 'chmod', [0, 0x10000 | 0o755])).toEqual(ALLOW);
  });

  it('keeps 64-bit comparisons for 64-bit arguments (unshare checks every flag bit, prctl arg2 is unsigned long)', () => {
    const prog = build(allowAll([
      { names: ['unshare'], action: 'errno', args: [{ index: 0, op: 'EQ', value: 5 }] },
      { names: ['prctl'], action: 'errno', args: [{ index: 1, op: 'EQ', value: 0 }] },
    ]), { arch: 'x86_64' });
    expect(call(prog, 'unshare', [5])).toEqual(ERRNO(EPERM));
    expect(call(prog, 'unshare', [HIGH | 5n])).toEqual(ALLOW);
    expect(call(prog, 'prctl', [1, 0])).toEqual(ERRNO(EPERM));
    expect(call(prog, 'prctl', [1, HIGH])).toEqual(ALLOW);
  });

  it('takes each syscall\'s width in a rule that names several', () => {
    const prog = build(allowAll([{ names: ['unshare', 'clone'], action: 'errno', args: [{ index: 0, op: 'EQ', value: 5 }] }]), { arch: 'x86_64' });
    expect(call(prog, 'clone', [HIGH | 5n])).toEqual(ERRNO(EPERM));
    expect(call(prog, 'unshare', [HIGH | 5n])).toEqual(ALLOW);
  });
});

describe('rule semantics', () => {
  it('requires every condition of a rule (AND)', () => {
    const prog = build(allowAll([{ names: ['getpid'], action: 'errno', args: [{ index: 0, op: 'EQ', value: 1 }, { index: 1, op: 'GT', value: 10 }] }]), { arch: 'x86_64' });
    expect(call(prog, 'getpid', [1, 11])).toEqual(ERRNO(EPERM));
    expect(call(prog, 'getpid', [1, 10])).toEqual(ALLOW);
    expect(call(prog, 'getpid', [2, 11])).toEqual(ALLOW);
  });

  it('tries the rules of a syscall in order, first match wins (OR)', () => {
    const prog = build(allowAll([
      { names: ['getpid'], action: 'errno', errno: 10, args: [{ index: 0, op: 'EQ', value: 1 }] },
      { names: ['getpid', 'getppid'], action: 'errno', errno: 20, args: [{ index: 0, op: 'LT', value: 5 }] },
      { names: ['getpid'], action: 'errno', errno: 30 },
      { names: ['getpid'], action: 'errno', errno: 40 }, // unreachable: the rule above always matches
    ]), { arch: 'x86_64' });
    expect(call(prog, 'getpid', [1])).toEqual(ERRNO(10));
    expect(call(prog, 'getpid', [2])).toEqual(ERRNO(20));
    expect(call(prog, 'getpid', [9])).toEqual(ERRNO(30));
    expect(call(prog, 'getppid', [2])).toEqual(ERRNO(20));
    expect(call(prog, 'getppid', [9])).toEqual(ALLOW);
  });

  it('skips names the arch does not have', () => {
    const profile = allowAll([{ names: ['chmod', 'no_such_call', 'fchmodat'], action: 'errno' }]);
    expect(call(build(profile, { arch: 'x86_64' }), 'chmod')).toEqual(ERRNO(EPERM));
    const arm = build(profile, { arch: 'aarch64' });
    expect(call(arm, 'fchmodat', [], 'aarch64')).toEqual(ERRNO(EPERM));
    expect(syscallNumber('chmod', 'aarch64')).toBeUndefined();
  });

  describe('includes / excludes', () => {
    const profile: SeccompProfile = {
      defaultAction: 'errno',
      syscalls: [
        { names: ['mount'], action: 'allow', includes: { caps: ['CAP_SYS_ADMIN'] } },
        { names: ['reboot'], action: 'allow', includes: { caps: ['CAP_SYS_BOOT', 'CAP_SYS_ADMIN'] } },
        { names: ['getpid'], action: 'allow', excludes: { caps: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'] } },
        { names: ['getppid'], action: 'allow', includes: { arches: ['aarch64'] } },
        { names: ['gettid'], action: 'allow', excludes: { arches: ['aarch64'] } },
      ],
    };
    it.each<[string, string[], Arch, string, boolean]>([
      ['includes.caps without the cap', [], 'x86_64', 'mount', false],
      ['includes.caps with the cap', ['CAP_SYS_ADMIN'], 'x86_64', 'mount', true],
      ['includes.caps needs every cap', ['CAP_SYS_BOOT'], 'x86_64', 'reboot', false],
      ['includes.caps with every cap', ['CAP_SYS_BOOT', 'CAP_SYS_ADMIN'], 'x86_64', 'reboot', true],
      ['excludes.caps without the caps', ['CAP_CHOWN'], 'x86_64', 'getpid', true],
      ['excludes.caps with any of the caps', ['CAP_NET_ADMIN'], 'x86_64', 'getpid', false],
      ['includes.arches elsewhere', [], 'x86_64', 'getppid', false],
      ['includes.arches here', [], 'aarch64', 'getppid', true],
      ['excludes.arches elsewhere', [], 'x86_64', 'gettid', true],
      ['excludes.arches here', [], 'aarch64', 'gettid', false],
    ])('%s', (_what, capabilities, arch, name, allowed) => {
      const prog = build(profile, { arch, capabilities });
      expect(call(prog, name, [], arch)).toEqual(allowed ? ALLOW : ERRNO(EPERM));
    });
  });
});

describe('long jumps', () => {
  // one 64-bit condition (argument 5 is 64-bit everywhere) per syscall: 6 instructions a block, so most
  // dispatch targets are > 255 away
  const entries = Object.entries(SYSCALLS_X86_64);
  const marker = (n: number) => (BigInt(n + 1) << 32n) | 7n;
  const profile = allowAll(entries.map(([name, n]) => ({
    names: [name], action: 'errno' as const, errno: n + 1, args: [{ index: 5 as const, op: 'EQ' as const, value: marker(n) }],
  })));

  it('reach every block of a large program', () => {
    const prog = build(profile, { arch: 'x86_64' });
    expect(prog.length / 8).toBeGreaterThan(1024);
    expect(countJA(prog)).toBeGreaterThan(0);
    for (const [, n] of entries) {
      expect(verdict(prog, { nr: n, arch: AUDIT_ARCH.x86_64, args: [0, 0, 0, 0, 0, marker(n)] })).toEqual(ERRNO(n + 1));
      expect(verdict(prog, { nr: n, arch: AUDIT_ARCH.x86_64, args: [0, 0, 0, 0, 0, 7] })).toEqual(ALLOW);
    }
  });
});

describe('compile errors', () => {
  const getpid = (extra: object) => allowAll([{ names: ['getpid'], action: 'errno', ...extra }]);
  it.each<[string, SeccompProfile, CompileOptions, string]>([
    ['an arch the profile is not for', { ...allowAll([]), architectures: ['aarch64'] }, { arch: 'x86_64' }, 'architectures: the profile is for aarch64, not x86_64'],
    ['an unknown arch', allowAll([]), { arch: 'riscv64' as Arch }, 'arch: unsupported architecture "riscv64"'],
    ['errno above MAX_ERRNO', getpid({ errno: 4096 }), { arch: 'x86_64' }, 'syscalls[0].errno: errno must be an integer 0..4095, got 4096'],
    ['errno on allow', allowAll([{ names: ['getpid'], action: 'allow', errno: 1 }]), { arch: 'x86_64' }, "syscalls[0].errno: an errno is only used by 'errno' and 'trace' actions, not 'allow'"],
    ['argument index 6', getpid({ args: [{ index: 6, op: 'EQ', value: 0 }] }), { arch: 'x86_64' }, 'syscalls[0].args[0].index: argument index must be 0..5, got 6'],
    ['a value over 64 bits', getpid({ args: [{ index: 0, op: 'EQ', value: 1n << 64n }] }), { arch: 'x86_64' }, 'syscalls[0].args[0].value: 18446744073709551616 does not fit in 64 bits'],
    ['an inexact number', getpid({ args: [{ index: 0, op: 'EQ', value: 2 ** 60 }] }), { arch: 'x86_64' }, 'is not an exact integer'],
    ['a value wider than an int argument', allowAll([{ names: ['socket'], action: 'errno', args: [{ index: 0, op: 'NE', value: 0x100000028n }] }]), { arch: 'x86_64' }, "syscalls[0].args[0].value: 0x100000028 does not fit in socket's argument 0: the kernel reads 32 bits"],
    ['a valueTwo wider than a umode_t', allowAll([{ names: ['chmod'], action: 'errno', args: [{ index: 1, op: 'MASKED_EQ', value: 0o4000, valueTwo: 0x10000 }] }]), { arch: 'x86_64' }, "syscalls[0].args[0].valueTwo: 0x10000 does not fit in chmod's argument 1: the kernel reads 16 bits"],
    ['an unknown operator', getpid({ args: [{ index: 0, op: 'LIKE', value: 0 }] }), { arch: 'x86_64' }, 'syscalls[0].args[0].op: unknown operator "LIKE"'],
    ['no names', allowAll([{ names: [], action: 'allow' }]), { arch: 'x86_64' }, 'syscalls[0].names: must name at least one syscall'],
    ['an unknown action', allowAll([{ names: ['getpid'], action: 'deny' as Action }]), { arch: 'x86_64' }, 'syscalls[0].action: unknown action "deny"'],
    ['an unknown default action', { defaultAction: 'deny' as Action, syscalls: [] }, { arch: 'x86_64' }, 'defaultAction: unknown action "deny"'],
    ['defaultErrno with a default allow', { defaultAction: 'allow', defaultErrno: 1, syscalls: [] }, { arch: 'x86_64' }, "defaultErrno: an errno is only used by 'errno' and 'trace' actions, not 'allow'"],
  ])('%s', (_what, profile, options, message) => {
    expect(() => compile(profile, options)).toThrow(SeccompProfileError);
    expect(() => compile(profile, options)).toThrow(message);
  });

  it('refuses a program longer than BPF_MAXINSNS', () => {
    const six = [0, 1, 2, 3, 4, 5].map((index) => ({ index, op: 'GE', value: index + 1 }) as ArgCondition);
    const profile = allowAll([...Array(200).keys()].map((i) => ({ names: ['getpid'], action: 'errno', errno: i, args: six.map((c) => ({ ...c, value: i })) })));
    expect(() => compile(profile, { arch: 'x86_64' })).toThrow(/compiles to \d+ instructions, more than BPF_MAXINSNS \(4096\)/);
  });
});

function countJA(prog: Buffer): number {
  let count = 0;
  for (let o = 0; o < prog.length; o += 8) if (prog.readUInt16LE(o) === 0x05) count++;
  return count;
}
