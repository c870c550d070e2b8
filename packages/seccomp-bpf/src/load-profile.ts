import { release } from 'node:os';
import { ACTIONS, actionReturn } from './actions';
import { SeccompProfileError } from './errors';
import type { Action, ArgCondition, Arch, ComparisonOp, RuleFilter, SeccompProfile, SyscallRule } from './types';
import { checkArgIndex, checkErrno } from './values';

type Json = Record<string, unknown>;

const OCI_ACTIONS: Readonly<Record<string, Action>> = {
  SCMP_ACT_ALLOW: 'allow',
  SCMP_ACT_ERRNO: 'errno',
  SCMP_ACT_KILL: 'kill_thread', // libseccomp: SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD
  SCMP_ACT_KILL_THREAD: 'kill_thread',
  SCMP_ACT_KILL_PROCESS: 'kill_process',
  SCMP_ACT_TRAP: 'trap',
  SCMP_ACT_LOG: 'log',
  SCMP_ACT_TRACE: 'trace',
};

const OCI_OPS: Readonly<Record<string, ComparisonOp>> = {
  SCMP_CMP_EQ: 'EQ',
  SCMP_CMP_NE: 'NE',
  SCMP_CMP_LT: 'LT',
  SCMP_CMP_LE: 'LE',
  SCMP_CMP_GT: 'GT',
  SCMP_CMP_GE: 'GE',
  SCMP_CMP_MASKED_EQ: 'MASKED_EQ',
};

/** `architectures` / `archMap` names (libseccomp's) and `includes.arches` names (docker's, Go's GOARCH). */
const OCI_ARCHES: Readonly<Record<string, Arch>> = { SCMP_ARCH_X86_64: 'x86_64', SCMP_ARCH_AARCH64: 'aarch64' };
const GO_ARCHES: Readonly<Record<string, Arch>> = { amd64: 'x86_64', x86_64: 'x86_64', arm64: 'aarch64', aarch64: 'aarch64' };
// architectures profiles commonly list that tincan does not run on: accepted and left out
const FOREIGN_OCI_ARCHES = new Set(
  ['X86', 'X32', 'ARM', 'MIPS', 'MIPS64', 'MIPS64N32', 'MIPSEL', 'MIPSEL64', 'MIPSEL64N32', 'PPC', 'PPC64', 'PPC64LE',
    'S390', 'S390X', 'PARISC', 'PARISC64', 'RISCV64', 'LOONGARCH64', 'M68K', 'SH', 'SHEB'].map((a) => `SCMP_ARCH_${a}`),
);
const FOREIGN_GO_ARCHES = new Set(['386', 'x86', 'x32', 'arm', 'ppc', 'ppc64', 'ppc64le', 's390', 's390x', 'mips',
  'mipsle', 'mips64', 'mips64le', 'mips64n32', 'mips64len32', 'riscv64', 'loong64', 'loongarch64']);

/**
 * Parse and validate a docker/OCI seccomp profile (a JSON string or its parsed value). Errors name the
 * field: `syscalls[3].args[0].op: unknown operator "SCMP_CMP_FOO"`. Rules gated to other architectures or
 * to a newer kernel than this one (`includes.minKernel`) are left out.
 */
export function loadProfile(json: unknown): SeccompProfile {
  const root = object(typeof json === 'string' ? parseJson(json) : json, '');
  onlyKeys(root, ['defaultAction', 'defaultErrnoRet', 'architectures', 'archMap', 'syscalls', 'flags'], '');
  noFlags(root.flags);
  const defaultAction = action(root.defaultAction, 'defaultAction');
  const defaultErrno = optional(root.defaultErrnoRet, 'defaultErrnoRet', errno);
  actionReturn(defaultAction, defaultErrno, 'defaultAction', 'defaultErrnoRet');
  const syscalls = array(root.syscalls ?? [], 'syscalls')
    .map((rule, i) => syscallRule(rule, `syscalls[${i}]`))
    .filter((rule): rule is SyscallRule => rule !== undefined);
  const architectures = profileArches(root);
  return {
    defaultAction,
    ...(defaultErrno === undefined ? {} : { defaultErrno }),
    ...(architectures === undefined ? {} : { architectures }),
    syscalls,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SeccompProfileError('', `not valid JSON (${(e as Error).message})`);
  }
}

/** SECCOMP_FILTER_FLAG_* are install-time options, not part of the program: refuse rather than drop them. */
function noFlags(flags: unknown): void {
  if (flags != null && array(flags, 'flags').length > 0) {
    throw new SeccompProfileError('flags', 'filter flags are not supported by the compiler');
  }
}

/** `architectures` (or docker's `archMap[].architecture`), reduced to the ones tincan runs on. */
function profileArches(root: Json): Arch[] | undefined {
  if (root.archMap != null && root.architectures != null) {
    throw new SeccompProfileError('archMap', 'use either architectures or archMap, not both');
  }
  const names = root.archMap != null
    ? array(root.archMap, 'archMap').map((entry, i) => archMapEntry(entry, `archMap[${i}]`))
    : root.architectures != null ? array(root.architectures, 'architectures') : undefined;
  if (names === undefined) return undefined;
  const field = root.archMap != null ? 'archMap' : 'architectures';
  const arches = names.flatMap((name, i) => mapArch(name, `${field}[${i}]`, OCI_ARCHES, FOREIGN_OCI_ARCHES));
  if (arches.length === 0 && names.length > 0) {
    throw new SeccompProfileError(field, 'lists neither SCMP_ARCH_X86_64 nor SCMP_ARCH_AARCH64');
  }
  return [...new Set(arches)];
}

/** docker's archMap entry; its subArchitectures (compat ABIs) are deliberately not allowed. */
function archMapEntry(entry: unknown, path: string): unknown {
  const o = object(entry, path);
  onlyKeys(o, ['architecture', 'subArchitectures'], path);
  return o.architecture;
}

function mapArch(name: unknown, path: string, ours: Readonly<Record<string, Arch>>, foreign: ReadonlySet<string>): Arch[] {
  const s = string(name, path);
  if (Object.hasOwn(ours, s)) return [ours[s]];
  if (foreign.has(s)) return [];
  throw new SeccompProfileError(path, `unknown architecture "${s}"`);
}

/** One `syscalls[]` entry, or undefined when its includes rule it out for every architecture we support. */
function syscallRule(value: unknown, path: string): SyscallRule | undefined {
  const o = object(value, path);
  onlyKeys(o, ['names', 'action', 'errnoRet', 'args', 'comment', 'includes', 'excludes'], path);
  const names = array(o.names, `${path}.names`).map((n, j) => string(n, `${path}.names[${j}]`));
  if (names.length === 0) throw new SeccompProfileError(`${path}.names`, 'must name at least one syscall');
  const act = action(o.action, `${path}.action`);
  const errnoRet = optional(o.errnoRet, `${path}.errnoRet`, errno);
  actionReturn(act, errnoRet, `${path}.action`, `${path}.errnoRet`);
  const args = optional(o.args, `${path}.args`, (v, p) => array(v, p).map((a, j) => argCondition(a, `${p}[${j}]`)));
  const includes = optional(o.includes, `${path}.includes`, (v, p) => filter(v, p, true));
  const excludes = optional(o.excludes, `${path}.excludes`, (v, p) => filter(v, p, false));
  if (includes === null) return undefined;
  return {
    names,
    action: act,
    ...(errnoRet === undefined ? {} : { errno: errnoRet }),
    ...(args === undefined || args.length === 0 ? {} : { args }),
    ...(includes === undefined || isEmpty(includes) ? {} : { includes }),
    ...(excludes == null || isEmpty(excludes) ? {} : { excludes }),
  };
}

function argCondition(value: unknown, path: string): ArgCondition {
  const o = object(value, path);
  onlyKeys(o, ['index', 'value', 'valueTwo', 'op'], path);
  const index = integer(o.index, `${path}.index`);
  checkArgIndex(index, `${path}.index`);
  const op = string(o.op, `${path}.op`);
  if (!Object.hasOwn(OCI_OPS, op)) throw new SeccompProfileError(`${path}.op`, `unknown operator "${op}"`);
  const valueTwo = optional(o.valueTwo, `${path}.valueTwo`, u64);
  return {
    index: index as ArgCondition['index'],
    value: u64(o.value, `${path}.value`),
    ...(valueTwo === undefined ? {} : { valueTwo }),
    op: OCI_OPS[op],
  };
}

/**
 * includes/excludes: caps, arches (docker's GOARCH names) and minKernel. Returns null for an `includes`
 * that can never hold here (only foreign arches, or a newer kernel), so the rule is dropped.
 */
function filter(value: unknown, path: string, isInclude: boolean): RuleFilter | null {
  const o = object(value, path);
  onlyKeys(o, ['caps', 'arches', 'minKernel'], path);
  const caps = optional(o.caps, `${path}.caps`, (v, p) => array(v, p).map((c, j) => capability(c, `${p}[${j}]`)));
  const listed = optional(o.arches, `${path}.arches`, (v, p) => array(v, p));
  const arches = listed?.flatMap((a, j) => mapArch(a, `${path}.arches[${j}]`, GO_ARCHES, FOREIGN_GO_ARCHES));
  const minKernel = optional(o.minKernel, `${path}.minKernel`, kernelVersion);
  if (isInclude && listed !== undefined && listed.length > 0 && arches?.length === 0) return null;
  if (minKernel !== undefined && !isInclude) throw new SeccompProfileError(`${path}.minKernel`, 'only allowed in includes');
  if (minKernel !== undefined && compareVersions(runningKernel(), minKernel) < 0) return null;
  return { ...(caps?.length ? { caps } : {}), ...(arches?.length ? { arches } : {}) };
}

function isEmpty(f: RuleFilter): boolean {
  return f.caps === undefined && f.arches === undefined;
}

function capability(value: unknown, path: string): string {
  const s = string(value, path);
  if (!/^CAP_[A-Z_]+$/.test(s)) throw new SeccompProfileError(path, `"${s}" is not a capability name like CAP_SYS_ADMIN`);
  return s;
}

function kernelVersion(value: unknown, path: string): number[] {
  const s = string(value, path);
  if (!/^\d+\.\d+(\.\d+)?$/.test(s)) throw new SeccompProfileError(path, `"${s}" is not a kernel version like 5.8`);
  return s.split('.').map(Number);
}

function runningKernel(): number[] {
  return (release().match(/^(\d+)\.(\d+)(?:\.(\d+))?/) ?? []).slice(1).filter(Boolean).map(Number);
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function action(value: unknown, path: string): Action {
  const s = string(value, path);
  if (s === 'SCMP_ACT_NOTIFY') throw new SeccompProfileError(path, 'SCMP_ACT_NOTIFY is not supported (it needs a listener)');
  if (Object.hasOwn(OCI_ACTIONS, s)) return OCI_ACTIONS[s];
  if ((ACTIONS as readonly string[]).includes(s)) return s as Action;
  throw new SeccompProfileError(path, `unknown action "${s}"`);
}

function errno(value: unknown, path: string): number {
  return checkErrno(integer(value, path), path);
}

/** JSON numbers are exact only up to 2^53; a bigint (from a bigint-aware parser) covers the rest. */
function u64(value: unknown, path: string): bigint | number {
  if (typeof value === 'bigint' && value >= 0n && value < 1n << 64n) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new SeccompProfileError(path, `must be an unsigned 64-bit integer, got ${describe(value)}`);
}

function integer(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new SeccompProfileError(path, `must be an integer, got ${describe(value)}`);
  }
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new SeccompProfileError(path, `must be a string, got ${describe(value)}`);
  return value;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new SeccompProfileError(path, `must be an array, got ${describe(value)}`);
  return value;
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SeccompProfileError(path, `must be an object, got ${describe(value)}`);
  }
  return value as Json;
}

/** docker writes absent fields as null as often as it leaves them out. */
function optional<T>(value: unknown, path: string, parse: (v: unknown, p: string) => T): T | undefined {
  return value === undefined || value === null ? undefined : parse(value, path);
}

function onlyKeys(o: Json, allowed: readonly string[], path: string): void {
  const unknown = Object.keys(o).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw new SeccompProfileError(path === '' ? unknown : `${path}.${unknown}`, 'unknown field');
}

/** A value for an error message (the error bounds its length); containers by kind, never serialised whole. */
function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'nothing';
  // a hostile profile can nest deeper than JSON.stringify's recursion goes
  if (Array.isArray(value)) return value.length === 0 ? '[]' : `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0 ? '{}' : 'an object';
  return JSON.stringify(value) ?? String(value);
}
