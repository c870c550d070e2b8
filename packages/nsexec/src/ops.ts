/**
 * The setup program's contract between the TypeScript that builds it and the C that runs it, declared
 * once: every op's code, where it runs, its named arguments in wire order, the syscalls it makes and
 * what it is for. scripts/gen-ops-header.mjs turns this table into native/ops.h (op codes, argument
 * indices, flag bits), so the C never spells a number of its own. PROTOCOL.md describes the wire format.
 */

/** Bump on any change to the wire format, an op's code or its arguments (the helper refuses other versions). */
export const PROTOCOL_VERSION = 3;

/** How an argument travels: a NUL-terminated string, a little-endian u64, raw bytes, or all remaining args. */
export type ArgKind = 'str' | 'u64' | 'bytes' | 'str...' | 'u64...';

export interface OpSpec {
  readonly code: number;
  /** The monitor runs it outside the container (before release); the container's init runs the rest on itself. */
  readonly runs: 'monitor' | 'container';
  /** Argument names in wire order (a `...` kind is last and takes the rest). */
  readonly args: Readonly<Record<string, ArgKind>>;
  /** The syscalls it makes, for --trace. */
  readonly syscalls: string;
  readonly about: string;
}

export const OPS = {
  joinNamespace: { code: 1, runs: 'monitor', args: { path: 'str', nstype: 'u64' }, syscalls: 'open + setns', about: 'join an existing namespace before clone (the child inherits it; pid: children only)' },
  clone: { code: 2, runs: 'monitor', args: { flags: 'u64', cgroup: 'str' }, syscalls: 'clone3', about: 'create the container process, in its cgroup atomically (CLONE_INTO_CGROUP) when one is named' },
  writeProc: { code: 3, runs: 'monitor', args: { file: 'str', data: 'str' }, syscalls: 'write(/proc/PID/FILE)', about: 'write uid_map, gid_map or setgroups of the child in one write(2)' },
  awaitParent: { code: 4, runs: 'monitor', args: {}, syscalls: 'read(ctl)', about: 'wait for the parent\'s go (its attach hooks run meanwhile)' },
  release: { code: 5, runs: 'monitor', args: {}, syscalls: 'write(sync)', about: 'let the child run the container steps' },
  idmapMount: { code: 6, runs: 'monitor', args: { source: 'str', target: 'str' }, syscalls: 'setns + open_tree + mount_setattr(MOUNT_ATTR_IDMAP) + move_mount', about: 'attach an id-mapped copy of source at target in the child\'s mount namespace' },
  childMount: { code: 7, runs: 'monitor', args: { source: 'str', target: 'str', fstype: 'str', flags: 'u64', data: 'str' }, syscalls: 'setns + mount', about: 'mount in the child\'s mount namespace with host privileges (an overlay\'s trusted.* xattrs)' },
  deviceFilter: { code: 9, runs: 'monitor', args: { cgroup: 'str', program: 'bytes' }, syscalls: 'bpf(BPF_PROG_LOAD) + bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE)', about: 'load an eBPF device allowlist and attach it to a cgroup directory, before the process exists' },
  forwardSignals: { code: 8, runs: 'monitor', args: { signals: 'u64...' }, syscalls: 'sigaction', about: 'the signals the monitor passes on to the container\'s init' },
  mount: { code: 10, runs: 'container', args: { source: 'str', target: 'str', fstype: 'str', flags: 'u64', data: 'str', paths: 'u64' }, syscalls: 'openat2(RESOLVE_IN_ROOT) + mount', about: 'mount(2), with in-root targets and sources resolved as PATH flags say' },
  setMountAttr: { code: 11, runs: 'container', args: { target: 'str', set: 'u64', clear: 'u64', propagation: 'u64', paths: 'u64' }, syscalls: 'openat2 + mount_setattr', about: 'change the attributes of the mount a path resolves to' },
  setRoot: { code: 12, runs: 'container', args: { path: 'str' }, syscalls: 'open(O_PATH)', about: 'open the directory that later in-root paths resolve in' },
  mkdir: { code: 13, runs: 'container', args: { path: 'str', mode: 'u64' }, syscalls: 'openat2 + mkdirat', about: 'mkdir -p inside the root, re-walking symlinks from the root' },
  symlink: { code: 14, runs: 'container', args: { target: 'str', path: 'str' }, syscalls: 'openat2 + symlinkat', about: 'a symlink in a parent resolved inside the root' },
  pivotRoot: { code: 15, runs: 'container', args: { flags: 'u64' }, syscalls: 'pivot_root + umount2(MNT_DETACH)', about: 'switch to the root and detach the old one (or, asked for, MS_MOVE + chroot)' },
  mask: { code: 16, runs: 'container', args: { path: 'str' }, syscalls: 'openat2 + fstat + mount(empty tmpfs, or bind of the host /dev/null checked to be char 1:3)', about: 'hide a kernel path' },
  mknod: { code: 17, runs: 'container', args: { path: 'str', mode: 'u64', dev: 'u64' }, syscalls: 'openat2 + mknodat', about: 'a node in a parent resolved inside the root' },
  bindDevice: { code: 18, runs: 'container', args: { path: 'str', major: 'u64', minor: 'u64' }, syscalls: 'open + fstat + openat2 + open_tree + move_mount', about: 'bind a host device node, checked by fstat, over a file made inside the root' },
  closeFds: { code: 19, runs: 'container', args: {}, syscalls: 'close_range', about: 'close every inherited fd but the status channel (the first container step of every program)' },
  sethostname: { code: 20, runs: 'container', args: { name: 'str' }, syscalls: 'sethostname', about: 'the uts namespace\'s hostname' },
  setdomainname: { code: 21, runs: 'container', args: { name: 'str' }, syscalls: 'setdomainname', about: 'the uts namespace\'s domain name' },
  rlimit: { code: 22, runs: 'container', args: { resource: 'u64', soft: 'u64', hard: 'u64' }, syscalls: 'prlimit64', about: 'a resource limit' },
  setUser: { code: 23, runs: 'container', args: { uid: 'u64', gid: 'u64', ngroups: 'u64', groups: 'u64...' }, syscalls: 'setgroups + setresgid + setresuid + prctl(PR_SET_PDEATHSIG)', about: 'credentials (capabilities kept for the capabilities step); ngroups -1 leaves the groups alone' },
  noNewPrivs: { code: 24, runs: 'container', args: {}, syscalls: 'prctl(PR_SET_NO_NEW_PRIVS)', about: 'no later exec can gain privileges' },
  capabilities: { code: 25, runs: 'container', args: { bounding: 'u64', effective: 'u64', permitted: 'u64', inheritable: 'u64', ambient: 'u64', lastCap: 'u64' }, syscalls: 'prctl(PR_CAPBSET_DROP) + capset + prctl(PR_CAP_AMBIENT)', about: 'the five capability sets' },
  seccomp: { code: 26, runs: 'container', args: { filter: 'bytes', flags: 'u64' }, syscalls: 'seccomp(SECCOMP_SET_MODE_FILTER)', about: 'install a classic BPF filter' },
  chdir: { code: 27, runs: 'container', args: { path: 'str' }, syscalls: 'openat2(RESOLVE_IN_ROOT) + fchdir + getcwd', about: 'the working directory, resolved inside the root and checked to be inside it' },
  exec: { code: 28, runs: 'container', args: { file: 'str', searchPath: 'str', argc: 'u64', argvAndEnv: 'str...' }, syscalls: 'execve', about: 'execve the command, searched in the PATH of its environment, else searchPath' },
  umask: { code: 29, runs: 'container', args: { mask: 'u64' }, syscalls: 'umask', about: 'the file mode creation mask the command starts with' },
  writeFile: { code: 30, runs: 'container', args: { path: 'str', data: 'bytes' }, syscalls: 'openat2(RESOLVE_IN_ROOT) + write', about: 'write an existing file inside the root (a sysctl, oom_score_adj)' },
} as const satisfies Record<string, OpSpec>;

export type OpName = keyof typeof OPS;

/** How a step's paths resolve (the `paths` argument of mount and setMountAttr). */
export const PATH_FLAGS = {
  targetInRoot: 0x1,
  sourceInRoot: 0x2,
  /** create a missing target directory (mkdir -p in the root) */
  mkdir: 0x4,
  /** create a missing target file */
  mkfile: 0x8,
  /** a missing source or target is not an error */
  optional: 0x10,
  /** setMountAttr: AT_RECURSIVE */
  recursive: 0x20,
  /** the target may not be reached through a symlink (the kernel interfaces /proc, /sys, /dev) */
  noSymlinks: 0x40,
  /** refuse a target that resolves into procfs or sysfs (user volumes and tmpfs) */
  notKernelFs: 0x80,
} as const;

/** The `flags` argument of pivotRoot. */
export const PIVOT_FLAGS = { noPivot: 0x1 } as const;

/** The program header's flags. */
export const PROGRAM_FLAGS = { trace: 0x1 } as const;

/** Program limits both sides enforce. */
export const LIMITS = {
  maxSteps: 1024,
  maxArgs: 4096,
  maxGroups: 64,
  /** the largest uid/gid: (uid_t)-1 means "unchanged" to the kernel, and larger values truncate */
  maxId: 0xfffffffe,
} as const;
