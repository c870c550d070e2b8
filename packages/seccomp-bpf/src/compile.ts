import { actionReturn, ENOSYS } from './actions';
import { Assembler, type Label, NEXT } from './assembler';
import { AUDIT_ARCH, isArch, X32_SYSCALL_BIT } from './arch';
import {
  BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JSET, BPF_MAXINSNS, SECCOMP_DATA_ARCH, SECCOMP_DATA_NR, SECCOMP_RET_ERRNO,
  SECCOMP_RET_KILL_PROCESS, SOCK_FILTER_SIZE,
} from './bpf';
import { emitComparison } from './compare';
import { SeccompProfileError } from './errors';
import { type ResolvedRule, type RuleChains, ruleChains } from './rules';
import { maxSyscallNumber } from './syscalls';
import type { Arch, CompileOptions, SeccompProfile } from './types';

/** Syscall numbers compared one by one at the leaves of the dispatch tree. */
const LEAF_SIZE = 4;

/**
 * Compile `profile` for one architecture into struct sock_filter[] for seccomp(SECCOMP_SET_MODE_FILTER).
 * Layout: arch check → x32 check (x86_64) → binary-search dispatch on nr into the rule blocks →
 * nr above the syscall table → ENOSYS → default action.
 */
export function compile(profile: SeccompProfile, options: CompileOptions): Buffer {
  if (!isArch(options.arch)) throw new SeccompProfileError('arch', `unsupported architecture "${String(options.arch)}"`);
  checkArchitectures(profile, options.arch);
  const defaultRet = actionReturn(profile.defaultAction, profile.defaultErrno, 'defaultAction', 'defaultErrno');
  const chains = ruleChains(profile, options);

  const asm = new Assembler();
  emitArchCheck(asm, options.arch);
  const blocks = shareBlocks(asm, chains);
  const noMatch = asm.newLabel();
  emitDispatch(asm, [...chains.keys()].sort((a, b) => a - b), (nr) => blocks.labelOf.get(nr) as Label, noMatch);
  asm.place(noMatch);
  emitDefault(asm, options.arch, defaultRet);
  for (const [label, chain] of blocks.chains) emitBlock(asm, label, chain, defaultRet);
  return checkLength(asm.assemble());
}

function checkArchitectures(profile: SeccompProfile, arch: Arch): void {
  const listed = profile.architectures;
  if (listed?.length && !listed.includes(arch)) {
    throw new SeccompProfileError('architectures', `the profile is for ${listed.join(', ')}, not ${arch}`);
  }
}

/** A foreign audit arch (e.g. i386 or arm32 compat calls) and, on x86_64, the x32 ABI are killed. */
function emitArchCheck(asm: Assembler, arch: Arch): void {
  const archOk = asm.newLabel();
  asm.load(SECCOMP_DATA_ARCH);
  asm.jump(BPF_JEQ, AUDIT_ARCH[arch], archOk, NEXT);
  asm.ret(SECCOMP_RET_KILL_PROCESS);
  asm.place(archOk);
  asm.load(SECCOMP_DATA_NR);
  if (arch !== 'x86_64') return;
  const abiOk = asm.newLabel();
  asm.jump(BPF_JSET, X32_SYSCALL_BIT, NEXT, abiOk);
  asm.ret(SECCOMP_RET_KILL_PROCESS);
  asm.place(abiOk);
}

/** The code blocks to emit: one per distinct rule chain, and which block each syscall nr jumps to. */
interface Blocks {
  readonly labelOf: ReadonlyMap<number, Label>;
  readonly chains: ReadonlyMap<Label, readonly ResolvedRule[]>;
}

/** Syscalls with identical rule chains (e.g. docker's allow-list) share one block. */
function shareBlocks(asm: Assembler, chains: RuleChains): Blocks {
  const byKey = new Map<string, Label>();
  const labelOf = new Map<number, Label>();
  const blockChains = new Map<Label, ResolvedRule[]>();
  for (const [nr, chain] of chains) {
    const key = chainKey(chain);
    let label = byKey.get(key);
    if (label === undefined) {
      label = asm.newLabel();
      byKey.set(key, label);
      blockChains.set(label, chain);
    }
    labelOf.set(nr, label);
  }
  return { labelOf, chains: blockChains };
}

function chainKey(chain: readonly ResolvedRule[]): string {
  const cond = (r: ResolvedRule) =>
    r.conditions.map((c) => `${c.index}${c.op}${c.width}:${c.value}/${c.valueTwo}`).join('&');
  return chain.map((r) => `${r.ret}:${cond(r)}`).join(';');
}

/** A (holding nr) is searched in sorted `nrs`: JGE splits halves, JEQ at the leaves, a miss → `noMatch`. */
function emitDispatch(asm: Assembler, nrs: readonly number[], target: (nr: number) => Label, noMatch: Label): void {
  if (nrs.length === 0) return;
  if (nrs.length <= LEAF_SIZE) {
    nrs.forEach((nr, i) => asm.jump(BPF_JEQ, nr, target(nr), i === nrs.length - 1 ? noMatch : NEXT));
    return;
  }
  const mid = nrs.length >> 1;
  const upper = asm.newLabel();
  asm.jump(BPF_JGE, nrs[mid], upper, NEXT);
  emitDispatch(asm, nrs.slice(0, mid), target, noMatch);
  asm.place(upper);
  emitDispatch(asm, nrs.slice(mid), target, noMatch);
}

/** A syscall newer than our table gets ENOSYS (so libc falls back, e.g. clone3 → clone); the rest, the default. */
function emitDefault(asm: Assembler, arch: Arch, defaultRet: number): void {
  const known = asm.newLabel();
  asm.jump(BPF_JGT, maxSyscallNumber(arch), NEXT, known);
  asm.ret(SECCOMP_RET_ERRNO | ENOSYS);
  asm.place(known);
  asm.ret(defaultRet);
}

/** The rules of one block in order; a failed condition tries the next rule, the last miss → the default. */
function emitBlock(asm: Assembler, label: Label, chain: readonly ResolvedRule[], defaultRet: number): void {
  asm.place(label);
  for (const rule of chain) {
    const nextRule = asm.newLabel();
    for (const c of rule.conditions) emitComparison(asm, c, nextRule);
    asm.ret(rule.ret);
    asm.place(nextRule);
  }
  if (chain[chain.length - 1].conditions.length > 0) asm.ret(defaultRet);
}

function checkLength(prog: Buffer): Buffer {
  const length = prog.length / SOCK_FILTER_SIZE;
  if (length > BPF_MAXINSNS) {
    const detail = `the profile compiles to ${length} instructions, more than BPF_MAXINSNS (${BPF_MAXINSNS})`;
    throw new SeccompProfileError('', detail);
  }
  return prog;
}
