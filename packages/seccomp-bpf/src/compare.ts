import { Assembler, type Label, NEXT } from './assembler';
import { BPF_JEQ, BPF_JGE, BPF_JGT, argOffset } from './bpf';
import type { ComparisonOp } from './types';
import { halves } from './values';

/** An argument condition with its values already normalised to unsigned 64-bit. */
export interface Comparison {
  readonly index: number;
  readonly op: ComparisonOp;
  readonly value: bigint;
  readonly valueTwo: bigint;
}

/**
 * Emit code that falls through when `c` holds and jumps to `fail` when it does not. BPF registers are
 * 32-bit, so every 64-bit comparison decides on the high half first and looks at the low half on a tie.
 */
export function emitComparison(asm: Assembler, c: Comparison, fail: Label): void {
  const pass = asm.newLabel();
  asm.load(argOffset(c.index, 'hi'));
  emitOp(asm, c, halves(c.value), pass, fail);
  asm.place(pass);
}

function emitOp(asm: Assembler, c: Comparison, v: Halves, pass: Label, fail: Label): void {
  switch (c.op) {
    case 'EQ':
      return equality(asm, c.index, v, { onEqual: pass, onDiffer: fail });
    case 'NE':
      return equality(asm, c.index, v, { onEqual: fail, onDiffer: pass });
    case 'GT':
      return ordered(asm, c.index, v, BPF_JGT, { above: pass, below: fail });
    case 'GE':
      return ordered(asm, c.index, v, BPF_JGE, { above: pass, below: fail });
    case 'LT':
      return ordered(asm, c.index, v, BPF_JGE, { above: fail, below: pass });
    case 'LE':
      return ordered(asm, c.index, v, BPF_JGT, { above: fail, below: pass });
    case 'MASKED_EQ':
      return maskedEqual(asm, c.index, v, halves(c.valueTwo), { pass, fail });
    default:
      throw new Error(`internal: unknown comparison operator "${String(c.op)}"`);
  }
}

type Halves = { hi: number; lo: number };

/** A holds the high half. EQ: both halves equal; NE: either differs. */
function equality(asm: Assembler, index: number, v: Halves, to: { onEqual: Label; onDiffer: Label }): void {
  asm.jump(BPF_JEQ, v.hi, NEXT, to.onDiffer);
  asm.load(argOffset(index, 'lo'));
  asm.jump(BPF_JEQ, v.lo, to.onEqual, to.onDiffer);
}

/**
 * A holds the high half. A higher high half decides `above`, a lower one `below`; on a tie the low half is
 * tested with `loOp` (JGT or JGE), whose true side is `above`.
 */
function ordered(asm: Assembler, index: number, v: Halves, loOp: number, to: { above: Label; below: Label }): void {
  asm.jump(BPF_JGT, v.hi, to.above, NEXT);
  asm.jump(BPF_JEQ, v.hi, NEXT, to.below);
  asm.load(argOffset(index, 'lo'));
  asm.jump(loOp, v.lo, to.above, to.below);
}

/** A holds the high half. (arg & mask) == want, half by half. */
function maskedEqual(asm: Assembler, index: number, mask: Halves, want: Halves, to: { pass: Label; fail: Label }): void {
  asm.and(mask.hi);
  asm.jump(BPF_JEQ, want.hi, NEXT, to.fail);
  asm.load(argOffset(index, 'lo'));
  asm.and(mask.lo);
  asm.jump(BPF_JEQ, want.lo, to.pass, to.fail);
}
