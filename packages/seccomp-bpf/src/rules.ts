import { actionReturn } from './actions';
import { argWidth } from './arg-widths';
import type { Comparison } from './compare';
import { SeccompProfileError } from './errors';
import { syscallNumber } from './syscalls';
import type { ArgCondition, Arch, CompileOptions, ComparisonOp, SeccompProfile, SyscallRule } from './types';
import { checkArgIndex, toU64, toWidth } from './values';

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
    const byName = resolveRule(rule, `syscalls[${i}]`);
    if (!applies(rule, options.arch, caps)) return;
    for (const [name, resolved] of byName) {
      const nr = syscallNumber(name, options.arch); // names the arch lacks (e.g. 32-bit-only calls) are skipped
      if (nr !== undefined) append(chains, nr, resolved);
    }
  });
  return chains;
}

function append(chains: RuleChains, nr: number, rule: ResolvedRule): void {
  const chain = chains.get(nr) ?? [];
  if (chain.at(-1)?.conditions.length === 0) return; // an earlier unconditional rule already decides
  chain.push(rule);
  chains.set(nr, chain);
}

/** The rule once per name: how wide an argument is depends on the syscall. */
function resolveRule(rule: SyscallRule, path: string): Array<[string, ResolvedRule]> {
  if (rule.names.length === 0) throw new SeccompProfileError(`${path}.names`, 'must name at least one syscall');
  const ret = actionReturn(rule.action, rule.errno, `${path}.action`, `${path}.errno`);
  const args = rule.args ?? [];
  return rule.names.map((name) => {
    const conditions = args.map((arg, j) => resolveCondition(arg, name, `${path}.args[${j}]`));
    return [name, { conditions, ret }];
  });
}

function resolveCondition(arg: ArgCondition, syscall: string, path: string): Comparison {
  checkArgIndex(arg.index, `${path}.index`);
  if (!OPS.includes(arg.op)) throw new SeccompProfileError(`${path}.op`, `unknown operator "${String(arg.op)}"`);
  const width = argWidth(syscall, arg.index);
  const narrow = (v: bigint | number, field: string): bigint =>
    toWidth(toU64(v, `${path}.${field}`), width, `${path}.${field}`, `${syscall}'s argument ${arg.index}`);
  const values = { value: narrow(arg.value, 'value'), valueTwo: narrow(arg.valueTwo ?? 0, 'valueTwo') };
  return { index: arg.index, op: arg.op, width, ...values };
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
