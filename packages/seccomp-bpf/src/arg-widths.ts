/** How many low bits of a 64-bit argument register the kernel reads. */
export type ArgWidth = 16 | 32 | 64;

// The syscall entry casts each register to the type in the syscall's SYSCALL_DEFINE (same on x86_64 and aarch64).
const INT = 32; // int, unsigned int, pid_t
const MODE = 16; // umode_t
const LONG = 64; // long, size_t, pointers

/**
 * Argument widths of the syscalls whose integer arguments seccomp profiles test (docker's, ours, systemd's
 * RestrictAddressFamilies/RestrictSUIDSGID, flatpak's ioctl rules). Arguments not listed are 64-bit.
 */
// Decision: compare a listed argument on the bits the kernel reads, so high-half garbage cannot dodge a rule.
const NARROW = new Map<string, readonly ArgWidth[]>([
  ['socket', [INT, INT, INT]],
  ['socketpair', [INT, INT, INT]],
  ['setsockopt', [INT, INT, INT, LONG, INT]],
  ['getsockopt', [INT, INT, INT]],
  ['ioctl', [INT, INT]],
  ['fcntl', [INT, INT]],
  ['personality', [INT]],
  ['prctl', [INT]],
  // declared unsigned long, but kernel/fork.c keeps only lower_32_bits(clone_flags) (unshare checks all 64)
  ['clone', [INT]],
  ['setns', [INT, INT]],
  ['kill', [INT, INT]],
  ['tkill', [INT, INT]],
  ['tgkill', [INT, INT, INT]],
  ['chmod', [LONG, MODE]],
  ['fchmod', [INT, MODE]],
  ['fchmodat', [INT, LONG, MODE]],
  ['fchmodat2', [INT, LONG, MODE, INT]],
  ['open', [LONG, INT, MODE]],
  ['openat', [INT, LONG, INT, MODE]],
  ['creat', [LONG, MODE]],
  ['mkdir', [LONG, MODE]],
  ['mkdirat', [INT, LONG, MODE]],
  ['mknod', [LONG, MODE, INT]],
  ['mknodat', [INT, LONG, MODE, INT]],
]);

/** The width the kernel reads argument `index` of `syscall` with. */
export function argWidth(syscall: string, index: number): ArgWidth {
  return NARROW.get(syscall)?.[index] ?? LONG;
}
