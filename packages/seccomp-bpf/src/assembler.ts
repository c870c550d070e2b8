import {
  BPF_ABS, BPF_ALU, BPF_AND, BPF_JA, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, MAX_SHORT_JUMP, SOCK_FILTER_SIZE,
} from './bpf';

/** A jump target; placed once with `place()`. */
export type Label = number;
/** Jump target meaning "the next instruction" (offset 0). */
export const NEXT = 'next';
type Target = Label | typeof NEXT;

interface Plain { kind: 'plain'; code: number; k: number }
interface Cond { kind: 'cond'; code: number; k: number; jt: Target; jf: Target; longT: boolean; longF: boolean }
interface Mark { kind: 'mark'; label: Label }
type Item = Plain | Cond | Mark;

/** Instruction index of every item and label under the current relaxation. */
interface Layout { pos: number[]; labelPos: Map<Label, number>; length: number }

/**
 * A forward-only classic-BPF assembler with symbolic labels. A conditional jump whose target is more than
 * 255 instructions away is relaxed into a short jump to an adjacent `JA` (32-bit offset) trampoline.
 */
export class Assembler {
  private readonly items: Item[] = [];
  private labels = 0;

  newLabel(): Label {
    return this.labels++;
  }

  place(label: Label): void {
    this.items.push({ kind: 'mark', label });
  }

  /** A = 32-bit word at `offset` of struct seccomp_data. */
  load(offset: number): void {
    this.items.push({ kind: 'plain', code: BPF_LD | BPF_W | BPF_ABS, k: offset });
  }

  /** A &= k. */
  and(k: number): void {
    this.items.push({ kind: 'plain', code: BPF_ALU | BPF_AND | BPF_K, k: k >>> 0 });
  }

  /** if (A <op> k) goto jt else goto jf; op is one of BPF_JEQ/JGT/JGE/JSET. */
  jump(op: number, k: number, jt: Target, jf: Target): void {
    this.items.push({ kind: 'cond', code: BPF_JMP | op | BPF_K, k: k >>> 0, jt, jf, longT: false, longF: false });
  }

  ret(k: number): void {
    this.items.push({ kind: 'plain', code: BPF_RET | BPF_K, k: k >>> 0 });
  }

  /** Resolve labels (relaxing far jumps until nothing changes) and encode struct sock_filter[]. */
  assemble(): Buffer {
    let layout = this.layout();
    while (this.relax(layout)) layout = this.layout();
    return this.encode(layout);
  }

  private layout(): Layout {
    const pos: number[] = [];
    const labelPos = new Map<Label, number>();
    let at = 0;
    for (const item of this.items) {
      pos.push(at);
      if (item.kind === 'mark') labelPos.set(item.label, at);
      at += size(item);
    }
    return { pos, labelPos, length: at };
  }

  /** Mark conditional jumps that cannot reach their target in one byte; true if any changed. */
  private relax(layout: Layout): boolean {
    let changed = false;
    this.items.forEach((item, i) => {
      if (item.kind !== 'cond') return;
      const from = layout.pos[i] + 1;
      if (!item.longT && item.jt !== NEXT && resolve(layout.labelPos, item.jt) - from > MAX_SHORT_JUMP) {
        item.longT = changed = true;
      }
      if (!item.longF && item.jf !== NEXT && resolve(layout.labelPos, item.jf) - from > MAX_SHORT_JUMP) {
        item.longF = changed = true;
      }
    });
    return changed;
  }

  private encode(layout: Layout): Buffer {
    const out = Buffer.alloc(layout.length * SOCK_FILTER_SIZE);
    let at = 0;
    const emit = (code: number, jt: number, jf: number, k: number): void => {
      const o = at++ * SOCK_FILTER_SIZE;
      out.writeUInt16LE(code, o);
      out.writeUInt8(jt, o + 2);
      out.writeUInt8(jf, o + 3);
      out.writeUInt32LE(k >>> 0, o + 4);
    };
    const offsetTo = (target: number): number => {
      const off = target - (at + 1);
      if (off < 0) throw new Error(`internal: backward jump at instruction ${at}`);
      return off;
    };
    this.items.forEach((item, i) => {
      if (item.kind === 'plain') emit(item.code, 0, 0, item.k);
      if (item.kind !== 'cond') return;
      const next = layout.pos[i] + size(item);
      // a far target is reached through a JA trampoline placed right after the jump (true side first)
      const trampolineT = layout.pos[i] + 1;
      const trampolineF = trampolineT + (item.longT ? 1 : 0);
      const target = (t: Target): number => (t === NEXT ? next : resolve(layout.labelPos, t));
      const jt = offsetTo(item.longT ? trampolineT : target(item.jt));
      const jf = offsetTo(item.longF ? trampolineF : target(item.jf));
      emit(item.code, jt, jf, item.k);
      if (item.longT) emit(BPF_JMP | BPF_JA, 0, 0, offsetTo(target(item.jt)));
      if (item.longF) emit(BPF_JMP | BPF_JA, 0, 0, offsetTo(target(item.jf)));
    });
    return out;
  }
}

function size(item: Item): number {
  if (item.kind === 'mark') return 0;
  if (item.kind === 'cond') return 1 + (item.longT ? 1 : 0) + (item.longF ? 1 : 0);
  return 1;
}

function resolve(labelPos: Map<Label, number>, label: Label): number {
  const at = labelPos.get(label);
  if (at === undefined) throw new Error(`internal: label ${label} was never placed`);
  return at;
}
