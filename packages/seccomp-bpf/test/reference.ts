// The meaning of a profile, evaluated directly on a seccomp_data input (no BPF): the oracle the compiled
// program is checked against.
import type { ArgCondition, Arch, CompileOptions, SeccompProfile, SyscallRule } from '../src';
import { AUDIT_ARCH, syscallName } from '../src';
import { type ArgWidth, argWidth } from '../src/arg-widths';
import { maxSyscallNumber } from '../src/syscalls';
import type { SeccompData, Verdict } from './bpf-interpreter';

const EPERM = 1;
const ENOSYS = 38;

/** An argument condition on the `width` low bits of the argument (what the kernel reads), unsigned, in BigInt arithmetic. */
export function holds(c: ArgCondition, arg: bigint, width: ArgWidth = 64): boolean {
  const a = BigInt.asUintN(width, arg);
  const v = BigInt.asUintN(width, BigInt(c.value));
  const two = BigInt.asUintN(width, BigInt(c.valueTwo ?? 0));
  switch (c.op) {
    case 'EQ': return a === v;
    case 'NE': return a !== v;
    case 'LT': return a < v;
    case 'LE': return a <= v;
    case 'GT': return a > v;
    case 'GE': return a >= v;
    case 'MASKED_EQ': return (a & v) === two;
  }
}

function applies(rule: SyscallRule, arch: Arch, caps: readonly string[]): boolean {
  const inc = rule.includes;
  const exc = rule.excludes;
  if (inc?.arches?.length && !inc.arches.includes(arch)) return false;
  if (inc?.caps?.some((c) => !caps.includes(c))) return false;
  if (exc?.arches?.includes(arch)) return false;
  return !exc?.caps?.some((c) => caps.includes(c));
}

function verdictOf(action: SyscallRule['action'], errno: number | undefined): Verdict {
  if (action === 'errno' || action === 'trace') return { action, data: errno ?? EPERM };
  if (action === 'trap') return { action, data: 0 };
  return { action };
}

/** What the profile says for `input`. */
export function expected(profile: SeccompProfile, options: CompileOptions, input: SeccompData): Verdict {
  const { arch } = options;
  if (input.arch >>> 0 !== AUDIT_ARCH[arch]) return { action: 'kill_process' };
  const nr = input.nr >>> 0;
  if (arch === 'x86_64' && (nr & 0x40000000) !== 0) return { action: 'kill_process' };
  const args = [0, 1, 2, 3, 4, 5].map((i) => BigInt.asUintN(64, BigInt(input.args?.[i] ?? 0)));
  const name = syscallName(nr, arch);
  const rule = profile.syscalls.find(
    (r) => name !== undefined && r.names.includes(name) && applies(r, arch, options.capabilities ?? [])
      && (r.args ?? []).every((c) => holds(c, args[c.index], argWidth(name, c.index))),
  );
  if (rule) return verdictOf(rule.action, rule.errno);
  if (nr > maxSyscallNumber(arch)) return { action: 'errno', data: ENOSYS };
  return verdictOf(profile.defaultAction, profile.defaultErrno);
}
