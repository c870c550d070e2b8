/**
 * The setup program: the steps tincan-nsexec executes, in order. All policy lives in the TypeScript
 * that builds this list; the native side only performs it. The ops, their codes and arguments are
 * declared once in ops.ts, which also generates the C header (dist/ops.h).
 */
import { LIMITS, OPS, PATH_FLAGS, PIVOT_FLAGS, PROTOCOL_VERSION, type OpName } from './ops';

export type PathFlag = keyof typeof PATH_FLAGS;

/** Where `exec` searches a command without a '/' when its environment has no PATH. */
export const DEFAULT_SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Steps the monitor runs outside the container, before and after clone. */
export type MonitorStep =
  | { op: 'joinNamespace'; path: string; nstype: number }
  | { op: 'clone'; flags: number; cgroup?: string }
  | { op: 'writeProc'; file: 'uid_map' | 'gid_map' | 'setgroups'; data: string }
  | { op: 'idmapMount'; source: string; target: string }
  | { op: 'childMount'; source: string; target: string; fstype: string; flags: number; data?: string }
  | { op: 'forwardSignals'; signals: number[] }
  | { op: 'deviceFilter'; cgroup: string; program: Buffer }
  | { op: 'awaitParent' }
  | { op: 'release' };

/** Steps the container's init runs on itself, after release and before exec. */
export type ContainerStep =
  | { op: 'mount'; source: string; target: string; fstype?: string; flags: number; data?: string; paths?: PathFlag[] }
  | { op: 'setMountAttr'; target: string; set: number; clear?: number; propagation?: number; paths?: PathFlag[] }
  | { op: 'setRoot'; path: string }
  | { op: 'mkdir'; path: string; mode: number }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'pivotRoot'; noPivot?: boolean }
  | { op: 'mask'; path: string }
  | { op: 'mknod'; path: string; mode: number; major: number; minor: number }
  | { op: 'bindDevice'; path: string; major: number; minor: number }
  | { op: 'closeFds' }
  | { op: 'umask'; mask: number }
  | { op: 'sethostname'; name: string }
  | { op: 'setdomainname'; name: string }
  | { op: 'rlimit'; resource: number; soft: bigint; hard: bigint }
  | { op: 'setUser'; uid: number; gid: number; groups: number[] | null }
  | { op: 'noNewPrivs' }
  | { op: 'capabilities'; bounding: bigint; effective: bigint; permitted: bigint; inheritable: bigint; ambient: bigint; lastCap: number }
  | { op: 'seccomp'; filter: Buffer; flags?: number }
  | { op: 'chdir'; path: string }
  | { op: 'exec'; file: string; argv: string[]; env: string[]; searchPath?: string }
  | { op: 'writeFile'; path: string; data: string | Buffer };

export type Step = MonitorStep | ContainerStep;

// every op of the table has a step type, and every step type an op of the table
type Unmatched = Exclude<Step['op'], OpName> | Exclude<OpName, Step['op']>;
const everyOpHasAStep: [Unmatched] extends [never] ? true : Unmatched = true;
void everyOpHasAStep;

export function runsInMonitor(step: Step): step is MonitorStep {
  return OPS[step.op].runs === 'monitor';
}

/** The syscalls a step performs, for --trace. */
export function stepSyscalls(step: Step): string {
  return OPS[step.op].syscalls;
}

/** One-line description of a step, for --trace and errors. */
export function describeStep(step: Step): string {
  switch (step.op) {
    case 'joinNamespace': return `join ${step.path}`;
    case 'clone': return `create process (flags 0x${step.flags.toString(16)}${step.cgroup ? `, cgroup ${step.cgroup}` : ''})`;
    case 'writeProc': return `write ${step.file} "${step.data.trim().replace(/\n/g, ', ')}"`;
    case 'idmapMount': return `id-mapped ${step.source} on ${step.target}`;
    case 'childMount': return `mount ${step.fstype} on ${step.target} (by the monitor)`;
    case 'forwardSignals': return `forward signals ${step.signals.join(' ')} to the container`;
    case 'deviceFilter': return `device allowlist on ${step.cgroup} (${step.program.length / 8} instructions)`;
    case 'awaitParent': return 'wait for parent-side plugins';
    case 'release': return 'release the container process';
    case 'mount':
      if (!step.source && !step.fstype) return `set propagation of ${step.target} (flags 0x${step.flags.toString(16)})`;
      return `mount ${step.source || step.fstype} on ${step.target}${step.fstype ? ` (${step.fstype})` : ''}`;
    case 'setMountAttr': return `set mount attributes of ${step.target}`;
    case 'setRoot': return `root is ${step.path}`;
    case 'mkdir': return `mkdir ${step.path}`;
    case 'symlink': return `symlink ${step.path} -> ${step.target}`;
    case 'pivotRoot': return step.noPivot ? 'move the root over / and chroot (no pivot_root)' : 'pivot_root into the root, detach the old root';
    case 'mask': return `mask ${step.path}`;
    case 'mknod': return `mknod ${step.path} ${step.major}:${step.minor}`;
    case 'bindDevice': return `bind host device ${step.path} (${step.major}:${step.minor}, verified)`;
    case 'closeFds': return 'close every inherited fd';
    case 'umask': return `umask ${step.mask.toString(8).padStart(4, '0')}`;
    case 'sethostname': return `hostname ${step.name}`;
    case 'setdomainname': return `domainname ${step.name}`;
    case 'rlimit': return `rlimit ${step.resource} ${step.soft}:${step.hard}`;
    case 'setUser': return `user ${step.uid}:${step.gid}${step.groups ? ` groups [${step.groups.join(',')}]` : ''}`;
    case 'noNewPrivs': return 'no_new_privs';
    case 'capabilities': return `capabilities bounding=0x${step.bounding.toString(16)} effective=0x${step.effective.toString(16)}`;
    case 'seccomp': return `seccomp filter (${step.filter.length / 8} instructions)`;
    case 'chdir': return `chdir ${step.path} (checked inside the root)`;
    case 'exec': return `exec ${[step.file, ...step.argv.slice(1)].join(' ')}`;
    case 'writeFile': return `write ${step.path}`;
  }
}

/** The largest uid/gid: (uid_t)-1 means "unchanged" to the kernel, and larger values truncate. */
export const MAX_ID = LIMITS.maxId;

/** The monitor steps that may come before clone. */
const BEFORE_CLONE = new Set<Step['op']>(['forwardSignals', 'deviceFilter', 'joinNamespace']);

/** A malformed program (native side would refuse it too, less helpfully). */
export class ProgramError extends Error {
  override readonly name = 'ProgramError';
}

/** Structure the native side relies on: monitor steps, one clone, monitor steps, release, container steps, exec last. */
export function validateProgram(steps: readonly Step[]): void {
  const clone = steps.findIndex((s) => s.op === 'clone');
  const release = steps.findIndex((s) => s.op === 'release');
  if (clone < 0) throw new ProgramError('program has no clone step');
  if (steps.filter((s) => s.op === 'clone').length > 1) throw new ProgramError('program has more than one clone step');
  if (release < clone) throw new ProgramError('program needs a release step after clone');
  if (steps[release + 1]?.op !== 'closeFds') throw new ProgramError('the first container step must be closeFds');
  steps.forEach((s, i) => {
    if (i < clone && !BEFORE_CLONE.has(s.op)) throw new ProgramError(`step ${i} (${s.op}) cannot run before clone`);
    if (i > clone && i < release && !runsInMonitor(s)) throw new ProgramError(`step ${i} (${s.op}) must come after release`);
    if (i > release && runsInMonitor(s)) throw new ProgramError(`step ${i} (${s.op}) must come before release`);
    // the kernel reads (uid_t)-1 as "unchanged" and truncates larger values: only 0 … MAX_ID are ids
    const ids = s.op === 'setUser' ? [s.uid, s.gid, ...(s.groups ?? [])] : [];
    const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id > MAX_ID);
    if (bad !== undefined) throw new ProgramError(`step ${i}: user or group id ${bad} out of range (0 to ${MAX_ID})`);
    if (s.op === 'setUser' && (s.groups?.length ?? 0) > LIMITS.maxGroups) throw new ProgramError(`step ${i}: more than ${LIMITS.maxGroups} supplementary groups`);
  });
  if (steps[steps.length - 1]?.op !== 'exec') throw new ProgramError('the last step must be exec');
  const exec = steps[steps.length - 1] as Extract<Step, { op: 'exec' }>;
  if (exec.argv.length === 0) throw new ProgramError('exec needs argv[0]');
  // the native side takes at most MAX_ARGS arguments per step: file, argc, argv..., env...
  const fixed = Object.keys(OPS.exec.args).length - 1;
  if (exec.argv.length + exec.env.length + fixed > LIMITS.maxArgs) {
    throw new ProgramError(`command line too long: ${exec.argv.length} arguments + ${exec.env.length} environment entries (at most ${LIMITS.maxArgs - fixed} in all)`);
  }
  if (steps.length > LIMITS.maxSteps) throw new ProgramError(`program has ${steps.length} steps (at most ${LIMITS.maxSteps})`);
  if (steps.filter((s) => s.op === 'exec').length > 1) throw new ProgramError('program has more than one exec step');
}

type Arg = string | bigint | number | Buffer;

/** A step's arguments by the names of its op's table entry; a rest argument is an array. */
type StepArgs = Record<string, Arg | Arg[]>;

function stepArgs(step: Step): StepArgs {
  const paths = (flags?: PathFlag[]) => BigInt((flags ?? []).reduce((m, f) => m | PATH_FLAGS[f], 0));
  switch (step.op) {
    case 'joinNamespace': return { path: step.path, nstype: step.nstype };
    case 'clone': return { flags: step.flags, cgroup: step.cgroup ?? '' };
    case 'writeProc': return { file: step.file, data: step.data };
    case 'idmapMount': return { source: step.source, target: step.target };
    case 'childMount': return { source: step.source, target: step.target, fstype: step.fstype, flags: step.flags, data: step.data ?? '' };
    case 'forwardSignals': return { signals: step.signals };
    case 'deviceFilter': return { cgroup: step.cgroup, program: step.program };
    case 'awaitParent':
    case 'release':
    case 'closeFds':
    case 'noNewPrivs': return {};
    case 'pivotRoot': return { flags: step.noPivot ? PIVOT_FLAGS.noPivot : 0 };
    case 'mount': return { source: step.source, target: step.target, fstype: step.fstype ?? '', flags: step.flags, data: step.data ?? '', paths: paths(step.paths) };
    case 'setMountAttr': return { target: step.target, set: step.set, clear: step.clear ?? 0, propagation: step.propagation ?? 0, paths: paths(step.paths) };
    case 'setRoot': return { path: step.path };
    case 'mkdir': return { path: step.path, mode: step.mode };
    case 'symlink': return { target: step.target, path: step.path };
    case 'mask': return { path: step.path };
    case 'mknod': return { path: step.path, mode: step.mode, dev: makedev(step.major, step.minor) };
    case 'bindDevice': return { path: step.path, major: step.major, minor: step.minor };
    case 'umask': return { mask: step.mask };
    case 'sethostname':
    case 'setdomainname': return { name: step.name };
    case 'rlimit': return { resource: step.resource, soft: step.soft, hard: step.hard };
    case 'setUser': return { uid: step.uid, gid: step.gid, ngroups: step.groups ? step.groups.length : -1, groups: step.groups ?? [] };
    case 'capabilities': return { bounding: step.bounding, effective: step.effective, permitted: step.permitted, inheritable: step.inheritable, ambient: step.ambient, lastCap: step.lastCap };
    case 'seccomp': return { filter: step.filter, flags: step.flags ?? 0 };
    case 'chdir': return { path: step.path };
    case 'exec': return { file: step.file, searchPath: step.searchPath ?? DEFAULT_SEARCH_PATH, argc: step.argv.length, argvAndEnv: [...step.argv, ...step.env] };
    case 'writeFile': return { path: step.path, data: Buffer.isBuffer(step.data) ? step.data : Buffer.from(step.data) };
  }
}

/** The step's arguments in the wire order of its op's table entry (a rest argument spread last). */
function orderedArgs(step: Step): Arg[] {
  const named = stepArgs(step);
  return Object.keys(OPS[step.op].args).flatMap((name) => {
    const v = named[name];
    if (v === undefined) throw new ProgramError(`internal: ${step.op} has no argument "${name}"`);
    return Array.isArray(v) ? v : [v];
  });
}

function encodeArg(arg: Arg): Buffer {
  if (Buffer.isBuffer(arg)) return arg;
  if (typeof arg === 'string') {
    if (arg.includes('\0')) throw new ProgramError(`argument contains a NUL byte: ${JSON.stringify(arg)}`);
    return Buffer.from(`${arg}\0`);
  }
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(arg)));
  return b;
}

/** Serialise a validated program in the wire format of PROTOCOL.md, length prefix included. */
export function encodeProgram(steps: readonly Step[], flags = 0): Buffer {
  validateProgram(steps);
  const parts: Buffer[] = [Buffer.from('TCNP'), u32(PROTOCOL_VERSION), u32(flags)];
  for (const step of steps) {
    const args = orderedArgs(step).map(encodeArg);
    parts.push(u32(OPS[step.op].code), u32(args.length));
    for (const a of args) parts.push(u32(a.length), a);
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(body.length), body]);
}

/** glibc's makedev(3) encoding of a device number. */
function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major), mi = BigInt(minor);
  return ((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
