import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_ARCH, compile, loadProfile, profiles, SeccompProfileError, syscallNumber } from '../src';
import { verdict } from './bpf-interpreter';
import { toDockerJson } from './docker-json';

const fixture = (): Record<string, unknown> =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', 'docker-style.json'), 'utf8')) as Record<string, unknown>;
const withRules = (...syscalls: unknown[]) => ({ defaultAction: 'SCMP_ACT_ALLOW', syscalls });
const rule = (extra: object) => ({ names: ['getpid'], action: 'SCMP_ACT_ERRNO', ...extra });
const arg = (extra: object) => rule({ args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ', ...extra }] });

describe('loadProfile errors name the bad field', () => {
  it.each<[string, unknown, string]>([
    ['an unknown operator', withRules(rule({}), rule({}), rule({}), arg({ op: 'SCMP_CMP_FOO' })), 'syscalls[3].args[0].op: unknown operator "SCMP_CMP_FOO"'],
    ['a missing defaultAction', { syscalls: [] }, 'defaultAction: must be a string, got nothing'],
    ['an unknown action', withRules(rule({ action: 'SCMP_ACT_FOO' })), 'syscalls[0].action: unknown action "SCMP_ACT_FOO"'],
    ['SCMP_ACT_NOTIFY', withRules(rule({ action: 'SCMP_ACT_NOTIFY' })), 'syscalls[0].action: SCMP_ACT_NOTIFY is not supported'],
    ['names that are not an array', withRules(rule({ names: 'getpid' })), 'syscalls[0].names: must be an array, got "getpid"'],
    ['a name that is not a string', withRules(rule({ names: ['getpid', 7] })), 'syscalls[0].names[1]: must be a string, got 7'],
    ['no names', withRules(rule({ names: [] })), 'syscalls[0].names: must name at least one syscall'],
    ['errnoRet out of range', withRules(rule({ errnoRet: 5000 })), 'syscalls[0].errnoRet: errno must be an integer 0..4095, got 5000'],
    ['errnoRet on SCMP_ACT_ALLOW', withRules(rule({ action: 'SCMP_ACT_ALLOW', errnoRet: 1 })), "syscalls[0].errnoRet: an errno is only used by 'errno' and 'trace' actions, not 'allow'"],
    ['defaultErrnoRet not a number', { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: '1', syscalls: [] }, 'defaultErrnoRet: must be an integer, got "1"'],
    ['an argument index of 6', withRules(arg({ index: 6 })), 'syscalls[0].args[0].index: argument index must be 0..5, got 6'],
    ['a negative value', withRules(arg({ value: -1 })), 'syscalls[0].args[0].value: must be an unsigned 64-bit integer, got -1'],
    ['a fractional value', withRules(arg({ value: 1.5 })), 'syscalls[0].args[0].value: must be an unsigned 64-bit integer, got 1.5'],
    ['a value past 2^53', withRules(arg({ valueTwo: 2 ** 60 })), 'syscalls[0].args[0].valueTwo: must be an unsigned 64-bit integer'],
    ['an unknown root field', { ...withRules(), defaultErrno: 1 }, 'defaultErrno: unknown field'],
    ['an unknown rule field', withRules(rule({ name: 'getpid' })), 'syscalls[0].name: unknown field'],
    ['an unknown argument field', withRules(arg({ mask: 1 })), 'syscalls[0].args[0].mask: unknown field'],
    ['an unknown architecture', { ...withRules(), architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_FOO'] }, 'architectures[1]: unknown architecture "SCMP_ARCH_FOO"'],
    ['only foreign architectures', { ...withRules(), architectures: ['SCMP_ARCH_PPC64LE'] }, 'architectures: lists neither SCMP_ARCH_X86_64 nor SCMP_ARCH_AARCH64'],
    ['a bad archMap entry', { ...withRules(), archMap: [{ architecture: 'SCMP_ARCH_X86_64', sub: [] }] }, 'archMap[0].sub: unknown field'],
    ['an unknown includes arch', withRules(rule({ includes: { arches: ['amd46'] } })), 'syscalls[0].includes.arches[0]: unknown architecture "amd46"'],
    ['a bad capability name', withRules(rule({ includes: { caps: ['sys_admin'] } })), 'syscalls[0].includes.caps[0]: "sys_admin" is not a capability name like CAP_SYS_ADMIN'],
    ['a bad minKernel', withRules(rule({ includes: { minKernel: 'five' } })), 'syscalls[0].includes.minKernel: "five" is not a kernel version like 5.8'],
    ['minKernel in excludes', withRules(rule({ excludes: { minKernel: '4.8' } })), 'syscalls[0].excludes.minKernel: only allowed in includes'],
    ['both architectures and archMap', { ...withRules(), architectures: [], archMap: [] }, 'archMap: use either architectures or archMap, not both'],
    ['filter flags', { ...withRules(), flags: ['SECCOMP_FILTER_FLAG_LOG'] }, 'flags: filter flags are not supported by the compiler'],
    ['a rule that is not an object', withRules(rule({}), 'getpid'), 'syscalls[1]: must be an object, got "getpid"'],
    ['a profile that is not an object', [], 'must be an object, got []'],
    ['text that is not JSON', '{"defaultAction": ', 'not valid JSON'],
  ])('%s', (_what, json, message) => {
    let err: unknown;
    try {
      loadProfile(json);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SeccompProfileError);
    expect((err as Error).message).toContain(message);
  });

  it('carries the path on the error', () => {
    expect(() => loadProfile(withRules(rule({}), arg({ op: 'SCMP_CMP_FOO' })))).toThrow(
      expect.objectContaining({ name: 'SeccompProfileError', path: 'syscalls[1].args[0].op' }) as Error,
    );
  });
});

describe('loadProfile on a docker-style profile', () => {
  const profile = loadProfile(fixture());

  it('maps actions, arches, filters and drops what cannot apply here', () => {
    expect(profile.defaultAction).toBe('errno');
    expect(profile.defaultErrno).toBe(1);
    expect(profile.architectures).toEqual(['x86_64', 'aarch64']);
    const names = profile.syscalls.map((r) => r.names.join(','));
    expect(names).not.toContain('getrandom'); // minKernel 99.0
    expect(names).not.toContain('s390_runtime_instr'); // s390 only
    expect(profile.syscalls.find((r) => r.names.includes('ptrace'))).toEqual({ names: ['ptrace'], action: 'allow' });
    expect(profile.syscalls.find((r) => r.names.includes('arch_prctl'))?.includes).toEqual({ arches: ['x86_64'] });
    expect(profile.syscalls.find((r) => r.names[0] === 'clone')?.excludes).toEqual({ caps: ['CAP_SYS_ADMIN'] });
    expect(profile.syscalls.find((r) => r.names.includes('kill'))?.action).toBe('kill_thread');
    expect(profile.syscalls.find((r) => r.names.includes('getppid'))).toEqual({ names: ['getppid'], action: 'trace', errno: 5 });
  });

  it('also accepts a JSON string and tincan action names', () => {
    expect(loadProfile(JSON.stringify(fixture()))).toEqual(profile);
    expect(loadProfile({ defaultAction: 'allow', syscalls: [{ names: ['getpid'], action: 'kill_process' }] }))
      .toEqual({ defaultAction: 'allow', syscalls: [{ names: ['getpid'], action: 'kill_process' }] });
  });

  it('compiles to a program with the meaning of the JSON', () => {
    const prog = compile(profile, { arch: 'x86_64' });
    const run = (name: string, args: number[] = []) =>
      verdict(prog, { nr: syscallNumber(name, 'x86_64') as number, arch: AUDIT_ARCH.x86_64, args });
    expect(run('read')).toEqual({ action: 'allow' });
    expect(run('ptrace')).toEqual({ action: 'allow' });
    expect(run('getrandom')).toEqual({ action: 'errno', data: 1 });
    expect(run('personality', [0xffffffff])).toEqual({ action: 'allow' });
    expect(run('personality', [1])).toEqual({ action: 'errno', data: 1 });
    expect(run('arch_prctl')).toEqual({ action: 'allow' });
    expect(run('clone', [0x11])).toEqual({ action: 'allow' });
    expect(run('clone', [0x10000000])).toEqual({ action: 'errno', data: 1 });
    expect(run('clone3')).toEqual({ action: 'errno', data: 38 });
    expect(run('mount')).toEqual({ action: 'errno', data: 1 });
    expect(run('kill')).toEqual({ action: 'kill_thread' });
    expect(run('tkill')).toEqual({ action: 'kill_process' });
    expect(run('tgkill')).toEqual({ action: 'log' });
    expect(run('getpid')).toEqual({ action: 'trap', data: 0 });
    expect(run('getppid')).toEqual({ action: 'trace', data: 5 });
  });
});

describe.each([['contained', profiles.contained], ['default', profiles.default]] as const)('round trip of profiles.%s through docker JSON', (_name, original) => {
  const loaded = loadProfile(toDockerJson(original));

  it('loads back to the same profile', () => {
    expect(loaded).toEqual(original);
  });

  it.each([['x86_64', []], ['x86_64', ['CAP_SYS_ADMIN']], ['aarch64', []]] as const)('compiles to the same bytes for %s %j', (arch, capabilities) => {
    expect(compile(loaded, { arch, capabilities }).equals(compile(original, { arch, capabilities }))).toBe(true);
  });
});
