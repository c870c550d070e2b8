// Writes a profile in docker's JSON format, to round-trip our TypeScript profiles through loadProfile.
import type { Action, Arch, ArgCondition, RuleFilter, SeccompProfile, SyscallRule } from '../src';

const ACTION: Record<Action, string> = {
  allow: 'SCMP_ACT_ALLOW', errno: 'SCMP_ACT_ERRNO', kill_process: 'SCMP_ACT_KILL_PROCESS',
  kill_thread: 'SCMP_ACT_KILL_THREAD', trap: 'SCMP_ACT_TRAP', log: 'SCMP_ACT_LOG', trace: 'SCMP_ACT_TRACE',
};
const SCMP_ARCH: Record<Arch, string> = { x86_64: 'SCMP_ARCH_X86_64', aarch64: 'SCMP_ARCH_AARCH64' };
const GOARCH: Record<Arch, string> = { x86_64: 'amd64', aarch64: 'arm64' };

function filter(f: RuleFilter): object {
  return { ...(f.caps ? { caps: f.caps } : {}), ...(f.arches ? { arches: f.arches.map((a) => GOARCH[a]) } : {}) };
}

function arg(a: ArgCondition): object {
  const valueTwo = a.valueTwo === undefined ? {} : { valueTwo: Number(a.valueTwo) };
  return { index: a.index, value: Number(a.value), ...valueTwo, op: `SCMP_CMP_${a.op}` };
}

function rule(r: SyscallRule): object {
  return {
    names: r.names,
    action: ACTION[r.action],
    ...(r.errno === undefined ? {} : { errnoRet: r.errno }),
    ...(r.args ? { args: r.args.map(arg) } : {}),
    ...(r.includes ? { includes: filter(r.includes) } : {}),
    ...(r.excludes ? { excludes: filter(r.excludes) } : {}),
  };
}

export function toDockerJson(p: SeccompProfile): string {
  return JSON.stringify({
    defaultAction: ACTION[p.defaultAction],
    ...(p.defaultErrno === undefined ? {} : { defaultErrnoRet: p.defaultErrno }),
    ...(p.architectures ? { architectures: p.architectures.map((a) => SCMP_ARCH[a]) } : {}),
    syscalls: p.syscalls.map(rule),
  }, null, 2);
}
