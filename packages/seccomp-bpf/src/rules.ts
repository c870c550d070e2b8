import { actionReturn } from './actions';
import type { Comparison } from './compare';
import { SeccompProfileError } from './errors';
import { syscallNumber } from './syscalls';
import type { ArgCondition, Arch, CompileOptions, ComparisonOp, SeccompProfile, SyscallRule } from './types';
import { checkArgIndex, toU64 } from './values';

const OPS: readonly ComparisonOp[] = ['EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'MASKED_EQ'];

/** One rule after validation: all `conditions` hold → return `ret`. */
export interface ResolvedRule {
  readonly conditions: readonly Comparison[];
  readonly ret: number;
}

/** syscall nr → its rules in profile order (first match wins); rules after an unconditional one are dropped. */
export type RuleChains = Map<number, ResolvedRule[]>;

/** Validate every rule and collect, per syscall nr of `arch`, the rules that apply to this target. */
export function ruleChains(profile: SeccompProfile, options: CompileOptions): RuleChains {
  const chains: RuleChains = new Map();
  const caps = options.capabilities ?? [];
  profile.syscalls.forEach((rule, i) => {
    const resolved = resolveRule(rule, `syscalls[${i}]`);
    if (!applies(rule, options.arch, caps)) return;
    for (const nr of syscallNumbers(rule.names, options.arch)) {
      const chain = chains.get(nr) ?? [];
      if (chain.at(-1)?.conditions.length === 0) continue; // an earlier unconditional rule already decides
      chain.push(resolved);
      chains.set(nr, chain);
    }
  });
  return chains;
}

function resolveRule(rule: SyscallRule, path: string): ResolvedRule {
  if (rule.names.length === 0) throw new SeccompProfileError(`${path}.names`, 'must name at least one syscall');
  const conditions = (rule.args ?? []).map((arg, j) => resolveCondition(arg, `${path}.args[${j}]`));
  return { conditions, ret: actionReturn(rule.action, rule.errno, `${path}.action`, `${path}.errno`) };
}

function resolveCondition(arg: ArgCondition, path: string): Comparison {
  checkArgIndex(arg.index, `${path}.index`);
  if (!OPS.includes(arg.op)) throw new SeccompProfileError(`${path}.op`, `unknown operator "${String(arg.op)}"`);
  return {
    index: arg.index,
    op: arg.op,
    value: toU64(arg.value, `${path}.value`),
    valueTwo: toU64(arg.valueTwo ?? 0, `${path}.valueTwo`),
  };
}

/** docker's semantics: includes needs every cap and one of the arches; excludes drops on any cap or arch. */
function applies(rule: SyscallRule, arch: Arch, caps: readonly string[]): boolean {
  const { includes, excludes } = rule;
  if (includes?.arches?.length && !includes.arches.includes(arch)) return false;
  if (includes?.caps && !includes.caps.every((c) => caps.includes(c))) return false;
  if (excludes?.arches?.includes(arch)) return false;
  if (excludes?.caps?.some((c) => caps.includes(c))) return false;
  return true;
}

/** Numbers of the names that exist on `arch` (others, e.g. 32-bit-only calls, are skipped). */
function syscallNumbers(names: readonly string[], arch: Arch): number[] {
  return names.map((n) => syscallNumber(n, arch)).filter((nr): nr is number => nr !== undefined);
}
