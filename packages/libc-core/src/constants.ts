/** Linux x86_64/aarch64 ABI constants used across tincan (values from the kernel uapi headers). */

// clone(2) / unshare(2) namespace flags
export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_NEWTIME = 0x00000080;
export const CLONE_PIDFD = 0x00001000;
export const CLONE_INTO_CGROUP = 0x200000000n;

// open(2)
export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_EMPTY_PATH = 0x1000;
export const AT_RECURSIVE = 0x8000;

// openat2(2) resolve flags
export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;

// mount(2)
export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_SYNCHRONOUS = 0x10;
export const MS_REMOUNT = 0x20;
export const MS_MANDLOCK = 0x40;
export const MS_DIRSYNC = 0x80;
export const MS_NOSYMFOLLOW = 0x100;
export const MS_NOATIME = 0x400;
export const MS_NODIRATIME = 0x800;
export const MS_BIND = 0x1000;
export const MS_MOVE = 0x2000;
export const MS_REC = 0x4000;
export const MS_SILENT = 0x8000;
export const MS_UNBINDABLE = 0x20000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;
export const MS_RELATIME = 0x200000;
export const MS_STRICTATIME = 0x1000000;
export const MNT_DETACH = 0x2;

// mount_setattr(2)
export const MOUNT_ATTR_RDONLY = 0x1;
export const MOUNT_ATTR_NOSUID = 0x2;
export const MOUNT_ATTR_NODEV = 0x4;
export const MOUNT_ATTR_NOEXEC = 0x8;
export const MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

// syscall numbers @tincan/libc calls through syscall(2) (no glibc wrapper in Debian 12's glibc 2.36)
export const SYS = {
  x64: { openat2: 437, capget: 125, capset: 126, mount_setattr: 442, pidfd_open: 434, clone3: 435, renameat2: 316 },
  arm64: { openat2: 437, capget: 90, capset: 91, mount_setattr: 442, pidfd_open: 434, clone3: 435, renameat2: 276 },
} as const;
export function sysno(name: keyof (typeof SYS)['x64']): number {
  const table = process.arch === 'arm64' ? SYS.arm64 : SYS.x64;
  return table[name];
}

// setrlimit(2) resources (same numbers on x86_64 and aarch64)
export const RLIMITS = {
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7, memlock: 8, as: 9,
  locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15,
} as const;
export const RLIM_INFINITY = 0xffffffffffffffffn;

// statx(2) mask and flags (include/uapi/linux/stat.h, fcntl.h)
export const STATX_TYPE = 0x1;
export const STATX_MODE = 0x2;
export const STATX_BASIC_STATS = 0x7ff;
export const AT_STATX_DONT_SYNC = 0x4000;

// file type bits of st_mode (include/uapi/linux/stat.h)
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

/** glibc's dev_t encoding of (major, minor), as makedev(3) builds it. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

// setxattr(2) flags
export const XATTR_CREATE = 0x1;
export const XATTR_REPLACE = 0x2;

// flock(2) operations (include/uapi/asm-generic/fcntl.h)
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;
export const LOCK_UN = 8;

/** ioctl request on an nsfs file descriptor: returns the namespace's CLONE_NEW* type (Linux 4.11+). */
export const NS_GET_NSTYPE = 0xb703;

/** _LINUX_CAPABILITY_VERSION_3: 64-bit capability sets, passed as two 32-bit data structs. */
export const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

// bpf(2) program and attach types, attach flags (include/uapi/linux/bpf.h)
export const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
export const BPF_CGROUP_DEVICE = 6;
export const BPF_F_ALLOW_MULTI = 0x2;
/** Size of one struct bpf_insn. */
export const BPF_INSN_SIZE = 8;
