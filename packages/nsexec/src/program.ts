/**
 * The setup program: the steps tincan-nsexec executes, in order. All policy lives in the TypeScript
 * that builds this list; the native side only performs it. Opcodes match native/nsexec.c.
 */
export const OPCODES = {
  joinNamespace: 1,
  clone: 2,
  writeProc: 3,
  awaitParent: 4,
  release: 5,
  idmapMount: 6,
  childMount: 7,
  mount: 10,
  setMountAttr: 11,
  setRoot: 12,
  mkdir: 13,
  symlink: 14,
  pivotRoot: 15,
  mask: 16,
  mknod: 17,
  bindDevice: 18,
  closeFds: 19,
  sethostname: 20,
  setdomainname: 21,
  rlimit: 22,
  setUser: 23,
  noNewPrivs: 24,
  capabilities: 25,
  seccomp: 26,
  chdir: 27,
  exec: 28,
  umask: 29,
} as const;

/** How a step's paths resolve (native P_* flags). */
export const PATH_FLAGS = {
  targetInRoot: 0x1,
  sourceInRoot: 0x2,
  mkdir: 0x4,
  mkfile: 0x8,
  optional: 0x10,
  recursive: 0x20,
  /** the target may not be reached through a symlink (the kernel interfaces /proc, /sys, /dev) */
  noSymlinks: 0x40,
  /** refuse a target that resolves into procfs or sysfs (user volumes and tmpfs) */
  notKernelFs: 0x80,
} as const;
export type PathFlag = keyof typeof PATH_FLAGS;

export const PROGRAM_FLAGS = { trace: 0x1 } as const;

/** Steps the monitor runs outside the container, before and after clone. */
export type MonitorStep =
  | { op: 'joinNamespace'; path: string; nstype: number }
  | { op: 'clone'; flags: number; cgroup?: string }
  | { op: 'writeProc'; file: 'uid_map' | 'gid_map' | 'setgroups'; data: string }
  | { op: 'idmapMount'; source: string; target: string }
  | { op: 'childMount'; source: string; target: string; fstype: string; flags: number; data?: string }
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
  | { op: 'exec'; file: string; argv: string[]; env: string[] };

export type Step = MonitorStep | ContainerStep;

const MONITOR_OPS = new Set<Step['op']>(['joinNamespace', 'clone', 'writeProc', 'idmapMount', 'childMount', 'awaitParent', 'release']);
export function runsInMonitor(step: Step): step is MonitorStep {
  return MONITOR_OPS.has(step.op);
}

/** The syscalls a step performs, for --trace. */
export function stepSyscalls(step: Step): string {
  switch (step.op) {
    case 'joinNamespace': return 'open + setns';
    case 'clone': return step.cgroup ? 'clone3(CLONE_INTO_CGROUP)' : 'clone3';
    case 'writeProc': return `write(/proc/PID/${step.file})`;
    case 'idmapMount': return 'setns + open_tree + mount_setattr(MOUNT_ATTR_IDMAP) + move_mount';
    case 'childMount': return 'setns + mount';
    case 'awaitParent': return 'read(ctl)';
    case 'release': return 'write(sync)';
    case 'mount': return step.paths?.includes('targetInRoot') ? 'openat2(RESOLVE_IN_ROOT) + mount' : 'mount';
    case 'setMountAttr': return 'openat2 + mount_setattr';
    case 'setRoot': return 'open(O_PATH)';
    case 'mkdir': return 'openat2 + mkdirat';
    case 'symlink': return 'openat2 + symlinkat';
    case 'pivotRoot': return step.noPivot ? 'mount(MS_MOVE) + chroot' : 'pivot_root + umount2(MNT_DETACH)';
    case 'mask': return 'openat2 + fstat + mount(empty tmpfs, or bind of the host /dev/null checked to be char 1:3)';
    case 'mknod': return 'openat2 + mknodat';
    case 'bindDevice': return 'open + fstat + openat2 + mount(MS_BIND)';
    case 'closeFds': return 'close_range';
    case 'umask': return 'umask';
    case 'sethostname': return 'sethostname';
    case 'setdomainname': return 'setdomainname';
    case 'rlimit': return 'prlimit64';
    case 'setUser': return 'setgroups + setresgid + setresuid';
    case 'noNewPrivs': return 'prctl(PR_SET_NO_NEW_PRIVS)';
    case 'capabilities': return 'prctl(PR_CAPBSET_DROP) + capset + prctl(PR_CAP_AMBIENT)';
    case 'seccomp': return 'seccomp(SECCOMP_SET_MODE_FILTER)';
    case 'chdir': return 'openat2(RESOLVE_IN_ROOT) + fchdir + getcwd';
    case 'exec': return 'execve';
  }
}

/** One-line description of a step, for --trace and errors. */
export function describeStep(step: Step): string {
  switch (step.op) {
    case 'joinNamespace': return `join ${step.path}`;
    case 'clone': return `create process (flags 0x${step.flags.toString(16)}${step.cgroup ? `, cgroup ${step.cgroup}` : ''})`;
    case 'writeProc': return `write ${step.file} "${step.data.trim().replace(/\n/g, ', ')}"`;
    case 'idmapMount': return `id-mapped ${step.source} on ${step.target}`;
    case 'childMount': return `mount ${step.fstype} on ${step.target} (by the monitor)`;
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
  }
}

/** The largest uid/gid: (uid_t)-1 means "unchanged" to the kernel (MAX_ID of native/nsexec.c). */
export const MAX_ID = 0xfffffffe;

/** MAX_ARGS of native/nsexec.c. */
const MAX_STEP_ARGS = 4096;

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
    if (i < clone && s.op !== 'joinNamespace') throw new ProgramError(`step ${i} (${s.op}) cannot run before clone`);
    if (i > clone && i < release && !runsInMonitor(s)) throw new ProgramError(`step ${i} (${s.op}) must come after release`);
    if (i > release && runsInMonitor(s)) throw new ProgramError(`step ${i} (${s.op}) must come before release`);
    // the kernel reads (uid_t)-1 as "unchanged" and truncates larger values: only 0 … MAX_ID are ids
    const ids = s.op === 'setUser' ? [s.uid, s.gid, ...(s.groups ?? [])] : [];
    const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id > MAX_ID);
    if (bad !== undefined) throw new ProgramError(`step ${i}: user or group id ${bad} out of range (0 to ${MAX_ID})`);
  });
  if (steps[steps.length - 1]?.op !== 'exec') throw new ProgramError('the last step must be exec');
  const exec = steps[steps.length - 1] as Extract<Step, { op: 'exec' }>;
  if (exec.argv.length === 0) throw new ProgramError('exec needs argv[0]');
  // the native side takes at most MAX_ARGS arguments per step: file, argc, argv..., env...
  if (exec.argv.length + exec.env.length + 2 > MAX_STEP_ARGS) {
    throw new ProgramError(`command line too long: ${exec.argv.length} arguments + ${exec.env.length} environment entries (at most ${MAX_STEP_ARGS - 2} in all)`);
  }
  if (steps.filter((s) => s.op === 'exec').length > 1) throw new ProgramError('program has more than one exec step');
}

type Arg = string | bigint | number | Buffer;

function stepArgs(step: Step): Arg[] {
  const paths = (flags?: PathFlag[]) => BigInt((flags ?? []).reduce((m, f) => m | PATH_FLAGS[f], 0));
  switch (step.op) {
    case 'joinNamespace': return [step.path, step.nstype];
    case 'clone': return [step.flags, step.cgroup ?? ''];
    case 'writeProc': return [step.file, step.data];
    case 'idmapMount': return [step.source, step.target];
    case 'childMount': return [step.source, step.target, step.fstype, step.flags, step.data ?? ''];
    case 'awaitParent':
    case 'release':
    case 'closeFds':
    case 'noNewPrivs': return [];
    case 'pivotRoot': return [step.noPivot ? 1 : 0];
    case 'mount': return [step.source, step.target, step.fstype ?? '', step.flags, step.data ?? '', paths(step.paths)];
    case 'setMountAttr': return [step.target, step.set, step.clear ?? 0, step.propagation ?? 0, paths(step.paths)];
    case 'setRoot': return [step.path];
    case 'mkdir': return [step.path, step.mode];
    case 'symlink': return [step.target, step.path];
    case 'mask': return [step.path];
    case 'mknod': return [step.path, step.mode, makedev(step.major, step.minor)];
    case 'bindDevice': return [step.path, step.major, step.minor];
    case 'umask': return [step.mask];
    case 'sethostname':
    case 'setdomainname': return [step.name];
    case 'rlimit': return [step.resource, step.soft, step.hard];
    case 'setUser': return [step.uid, step.gid, step.groups ? step.groups.length : -1, ...(step.groups ?? [])];
    case 'capabilities': return [step.bounding, step.effective, step.permitted, step.inheritable, step.ambient, step.lastCap];
    case 'seccomp': return [step.filter, step.flags ?? 0];
    case 'chdir': return [step.path];
    case 'exec': return [step.file, step.argv.length, ...step.argv, ...step.env];
  }
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

/** Serialise a validated program in the wire format of native/nsexec.c, length prefix included. */
export function encodeProgram(steps: readonly Step[], flags = 0): Buffer {
  validateProgram(steps);
  const parts: Buffer[] = [Buffer.from('TCN1'), u32(flags)];
  for (const step of steps) {
    const args = stepArgs(step).map(encodeArg);
    parts.push(u32(OPCODES[step.op]), u32(args.length));
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
