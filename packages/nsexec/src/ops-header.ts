import { LIMITS, OPS, PATH_FLAGS, PIVOT_FLAGS, PROGRAM_FLAGS, PROTOCOL_VERSION, type ArgKind, type OpSpec } from './ops';

/** joinNamespace → JOIN_NAMESPACE: a name means the same thing in both languages. */
export function cName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

const hex = (n: number): string => `0x${n.toString(16)}`;

function flagDefines(prefix: string, flags: Record<string, number>): string[] {
  return Object.entries(flags).map(([name, bit]) => `#define ${prefix}_${cName(name)} ${hex(bit)}`);
}

function argDefines(op: string, args: Readonly<Record<string, ArgKind>>): string[] {
  return Object.keys(args).map((arg, i) => `#define ${cName(op)}_${cName(arg)} ${i}`);
}

/** The C header of the op table (native/nsexec.c includes it as "ops.h"). */
export function opsHeader(): string {
  const ops = Object.entries(OPS) as [string, OpSpec][];
  return [
    '/* Generated from src/ops.ts by scripts/gen-ops-header.mjs at build time: do not edit. */',
    '#pragma once',
    '',
    `#define PROTOCOL_VERSION ${PROTOCOL_VERSION}`,
    ...Object.entries(LIMITS).map(([name, n]) => `#define ${cName(name)} ${n}`),
    '',
    'enum op {',
    ...ops.map(([name, op]) => `  OP_${cName(name)} = ${op.code},  /* ${op.runs}: ${op.about.replace(/\*\//g, '* /')} */`),
    '};',
    '',
    '/* argument indices, in wire order */',
    ...ops.flatMap(([name, op]) => argDefines(name, op.args)),
    '',
    ...flagDefines('PATH', PATH_FLAGS),
    ...flagDefines('PIVOT', PIVOT_FLAGS),
    ...flagDefines('PROGRAM', PROGRAM_FLAGS),
    '',
  ].join('\n');
}
