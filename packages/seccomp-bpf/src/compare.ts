import type { ArgWidth } from './arg-widths';
import { Assembler, type Label, NEXT } from './assembler';
import { BPF_JEQ, BPF_JGE, BPF_JGT, argOffset } from './bpf';
import type { ComparisonOp } from './types';
import { halves } from './values';

/** An argument condition with its values already normalised to the unsigned `width`-bit pattern the kernel reads. */
export interface Comparison {
  readonly index: number;
  readonly op: ComparisonOp;
  readonly width: ArgWidth;
  readonly value: bigint;
  readonly valueTwo: bigint;
}

type Targets = { pass: Label; fail: Label };

/**
 * Emit code that falls through when `c` holds and jumps to `fail` when it does not. BPF registers are 32-bit,
 * so a 64-bit argument is decided on its high half first and on its low half on a tie. A narrower argument is
 * decided on its low half alone: the kernel never reads the high half, so garbage there must not dodge a rule.
 */
export function emitComparison(asm: Assembler, c: Comparison, fail: Label): void {
  const to = { pass: asm.newLabel(), fail };
  const v = halves(c.value);
  const want = halves(c.valueTwo);
  if (c.width === 64) {
    asm.load(argOffset(c.index, 'hi'));
    decideHigh(asm, c.op, v.hi, want.hi, to);
  }
  asm.load(argOffset(c.index, 'lo'));
  // a umode_t keeps 16 bits; MASKED_EQ's mask was already narrowed, so its AND drops the rest
  if (c.width < 32 && c.op !== 'MASKED_EQ') asm.and(2 ** c.width - 1);
  decideLow(asm, c.op, v.lo, want.lo, to);
  asm.place(to.pass);
}

/** A holds the high half: a difference decides, a tie falls through to the low half. */
function decideHigh(asm: Assembler, op: ComparisonOp, hi: number, wantHi: number, to: Targets): void {
  switch (op) {
    case 'EQ':
      return asm.jump(BPF_JEQ, hi, NEXT, to.fail);
    case 'NE':
      return asm.jump(BPF_JEQ, hi, NEXT, to.pass);
    case 'GT':
    case 'GE':
      return ordered(asm, hi, { above: to.pass, below: to.fail });
    case 'LT':
    case 'LE':
      return ordered(asm, hi, { above: to.fail, below: to.pass });
    case 'MASKED_EQ':
      asm.and(hi);
      return asm.jump(BPF_JEQ, wantHi, NEXT, to.fail);
  }
}

function ordered(asm: Assembler, hi: number, to: { above: Label; below: Label }): void {
  asm.jump(BPF_JGT, hi, to.above, NEXT);
  asm.jump(BPF_JEQ, hi, NEXT, to.below);
}

/** A holds the low half (all of a narrow argument): the final, unsigned decision. MASKED_EQ: (A & lo) == wantLo. */
function decideLow(asm: Assembler, op: ComparisonOp, lo: number, wantLo: number, to: Targets): void {
  switch (op) {
    case 'EQ':
      return asm.jump(BPF_JEQ, lo, to.pass, to.fail);
    case 'NE':
      return asm.jump(BPF_JEQ, lo, to.fail, to.pass);
    case 'GT':
      return asm.jump(BPF_JGT, lo, to.pass, to.fail);
    case 'GE':
      return asm.jump(BPF_JGE, lo, to.pass, to.fail);
    case 'LT':
      return asm.jump(BPF_JGE, lo, to.fail, to.pass);
    case 'LE':
      return asm.jump(BPF_JGT, lo, to.fail, to.pass);
    case 'MASKED_EQ':
      asm.and(lo);
      return asm.jump(BPF_JEQ, wantLo, to.pass, to.fail);
    default:
      throw new Error(`internal: unknown comparison operator "${String(op)}"`);
  }
}
