/*
 * tincan-nsexec: the native half of tincan's process creation (the role runc's nsexec plays for Go).
 *
 * Node cannot create a container process itself: it is multithreaded (no unshare(CLONE_NEWUSER)), and
 * JavaScript must never run in a forked copy of it. So Node spawns this small single-threaded program,
 * hands it a *setup program* on fd 3 (a list of steps computed in TypeScript: every policy decision —
 * which namespaces, mounts, capabilities, seccomp filter — is made there), and this program only
 * executes the steps, in the order given. It contains no policy.
 *
 * Processes:  node ──spawn──▶ monitor (this program) ──clone3──▶ container init ──execve──▶ command
 * The monitor stays outside the container: it writes the uid/gid maps, forwards signals, reports the
 * container's pid, each step's result (trace), setup errors and the exit status on fd 3 as text lines.
 *
 * The wire format, the events and the ops are in PROTOCOL.md; the op codes, argument indices and flag
 * bits come from the op table of src/ops.ts, generated into ops.h at build. Events (monitor → Node):
 *   P <pid>                    container init created (host pid)
 *   T <step> <errno> <ns>      a step finished (only with PROGRAM_TRACE)
 *   E <step> <errno> <text>    a step failed; the container does not start
 *   S                          the command was exec'd
 *   X <code> <signal>          the container init exited
 *
 * No allocation happens after clone: the program is parsed into a static table first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ops.h"

struct arg { const char *p; uint32_t len; };
struct step { uint32_t op; uint32_t argc; struct arg *args; };

static struct step steps[MAX_STEPS];
static struct arg argpool[MAX_STEPS * 16];
static uint32_t nsteps, prog_flags;
static int ctl = 3;           /* the socket to Node */
static int status_w = -1;     /* child → monitor: step results (O_CLOEXEC: EOF at exec) */
static int root_fd = -1;      /* in-root paths resolve here */
static int is_child;
static int sync_fd = -1;      /* child: read end of monitor → child; POLLHUP once the monitor is gone */
static pid_t child_pid;

/* ---------- reporting ---------- */

/* A step result from the child, written whole (< PIPE_BUF) so the monitor reads it atomically. */
struct record { char kind; uint16_t step; int32_t err; int64_t ns; char msg[200]; };

static void ctl_printf(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n >= (int)sizeof line) n = sizeof line - 1;
  if (write(ctl, line, n) < 0) { /* Node went away: nothing left to tell */ }
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Report a step result: the monitor writes to Node directly, the child through the status pipe. */
static void report(char kind, uint32_t step, int err, int64_t ns, const char *msg) {
  if (!is_child) {
    if (kind == 'E') ctl_printf("E %u %d %s\n", step, err, msg);
    else ctl_printf("T %u %d %lld\n", step, err, (long long)ns);
    return;
  }
  struct record r = { .kind = kind, .step = (uint16_t)step, .err = err, .ns = ns };
  snprintf(r.msg, sizeof r.msg, "%s", msg ? msg : "");
  if (write(status_w, &r, sizeof r) < 0) { /* monitor gone: PDEATHSIG ends us */ }
}

/* ---------- program parsing (before clone: may allocate) ---------- */

static uint32_t rd32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static int read_full(int fd, void *buf, size_t len) {
  size_t off = 0;
  while (off < len) {
    ssize_t n = read(fd, (char *)buf + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    off += n;
  }
  return 0;
}

static int parse_program(void) {
  unsigned char lenbuf[4];
  if (read_full(ctl, lenbuf, 4) < 0) return -1;
  uint32_t len = rd32(lenbuf);
  if (len > (64u << 20)) return -1;
  unsigned char *buf = malloc(len);
  if (!buf || read_full(ctl, buf, len) < 0) return -1;
  if (len < 12 || memcmp(buf, "TCNP", 4) != 0) return -1;
  if (rd32(buf + 4) != PROTOCOL_VERSION) {
    fprintf(stderr, "tincan-nsexec: speaks setup protocol %d, the program is version %u (rebuild both sides)\n", PROTOCOL_VERSION, rd32(buf + 4));
    return -1;
  }
  prog_flags = rd32(buf + 8);
  size_t off = 12, nargs = 0;
  while (off < len) {
    if (nsteps >= MAX_STEPS || off + 8 > len) return -1;
    struct step *s = &steps[nsteps++];
    s->op = rd32(buf + off);
    s->argc = rd32(buf + off + 4);
    off += 8;
    if (s->argc > MAX_ARGS || nargs + s->argc > sizeof argpool / sizeof argpool[0]) return -1;
    s->args = &argpool[nargs];
    for (uint32_t i = 0; i < s->argc; i++) {
      if (off + 4 > len) return -1;
      uint32_t alen = rd32(buf + off);
      off += 4;
      if (alen > len - off) return -1;
      argpool[nargs++] = (struct arg){ (const char *)buf + off, alen };
      off += alen;
    }
  }
  return 0;
}

static const char *S(const struct step *s, uint32_t i) { return i < s->argc ? s->args[i].p : ""; }
static uint64_t U(const struct step *s, uint32_t i) {
  uint64_t v = 0;
  if (i < s->argc && s->args[i].len == 8) memcpy(&v, s->args[i].p, 8);
  return v;
}

/* ---------- path resolution inside the root ---------- */

/* openat2 with RESOLVE_IN_ROOT: `..` and absolute symlinks cannot leave the root. */
static int open_in_root_how(const char *path, uint64_t flags, uint64_t resolve) {
  struct open_how how = { .flags = flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve };
  return syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

static int open_in_root(const char *path, uint64_t flags) { return open_in_root_how(path, flags, 0); }

/* Open the parent directory of `path` inside the root; *name gets the last component. */
static int open_parent_in_root(const char *path, char *dir, size_t dirsz, const char **name) {
  snprintf(dir, dirsz, "%s", path);
  char *slash = strrchr(dir, '/');
  while (slash && slash[1] == '\0' && slash != dir) { *slash = '\0'; slash = strrchr(dir, '/'); }
  if (!slash) { *name = path; return open_in_root(".", O_PATH | O_DIRECTORY); }
  *name = path + (slash - dir) + 1;
  *slash = '\0';
  return open_in_root(dir[0] ? dir : "/", O_PATH | O_DIRECTORY);
}

/*
 * mkdir -p inside the root, securejoin-style: walk one component at a time from the root fd, never
 * following a symlink by path. A symlink found on the way is read and its target re-walked from the
 * root (absolute) or from the resolved prefix (relative), so even a dangling link that points at a
 * host path creates its target inside the root. `..` is applied to the resolved prefix.
 */
static int mkdir_in_root(const char *path, mode_t mode) {
  char work[4096], done[4096], next[4096];
  if (root_fd < 0) { errno = EBADF; return -1; }
  if (snprintf(work, sizeof work, "%s", path) >= (int)sizeof work) { errno = ENAMETOOLONG; return -1; }
  for (int hops = 0; hops <= 40; hops++) {
    int cur = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    done[0] = '\0';
    char *save = NULL, *comp = strtok_r(work, "/", &save);
    int restarted = 0;
    for (; comp && cur >= 0; comp = strtok_r(NULL, "/", &save)) {
      if (!strcmp(comp, ".")) continue;
      if (!strcmp(comp, "..")) {
        char *slash = strrchr(done, '/');
        if (slash) *slash = '\0';
        close(cur);
        cur = open_in_root(done[0] ? done : "/", O_PATH | O_DIRECTORY);
        continue;
      }
      int fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) {
        if (mkdirat(cur, comp, mode) < 0 && errno != EEXIST) { close(cur); return -1; }
        fd = openat(cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      }
      struct stat st;
      if (fd < 0 || fstat(fd, &st) < 0) { int e = errno; if (fd >= 0) close(fd); close(cur); errno = e; return -1; }
      if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlinkat(fd, "", target, sizeof target - 1);
        close(fd);
        close(cur);
        if (n < 0) return -1;
        target[n] = '\0';
        const char *rest = save && *save ? save : "";
        int len = target[0] == '/' ? snprintf(next, sizeof next, "%s/%s", target, rest)
                                   : snprintf(next, sizeof next, "%s/%s/%s", done, target, rest);
        if (len >= (int)sizeof next) { errno = ENAMETOOLONG; return -1; }
        memcpy(work, next, len + 1);
        restarted = 1;
        break;
      }
      if (!S_ISDIR(st.st_mode)) { close(fd); close(cur); errno = ENOTDIR; return -1; }
      close(cur);
      cur = fd;
      size_t dl = strlen(done);
      if (snprintf(done + dl, sizeof done - dl, "/%s", comp) >= (int)(sizeof done - dl)) { close(cur); errno = ENAMETOOLONG; return -1; }
    }
    if (restarted) continue;
    if (cur < 0) return -1;
    close(cur);
    return 0;
  }
  errno = ELOOP;
  return -1;
}

/* Create an empty file for a bind-mount target if it is missing. */
static int mkfile_in_root(const char *path) {
  int fd = open_in_root(path, O_PATH);
  if (fd >= 0) { close(fd); return 0; }
  char dir[4096];
  const char *name;
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", path);
  char *slash = strrchr(parent, '/');
  if (slash && slash != parent) { *slash = '\0'; if (mkdir_in_root(parent, 0755) < 0) return -1; }
  int pfd = open_parent_in_root(path, dir, sizeof dir, &name);
  if (pfd < 0) return -1;
  fd = openat(pfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);  /* never through a symlink */
  close(pfd);
  if (fd < 0) return -1;
  close(fd);
  return 0;
}

/*
 * Resolve a path for mount(2): in-root paths become /proc/self/fd/N of an O_PATH fd. Every mount step
 * runs before pivot_root, so that /proc is the host's, which nothing in the container can change.
 */
static int resolve(const char *path, int in_root, uint64_t resolve_flags, char *out, size_t outsz, int *fd) {
  *fd = -1;
  if (!in_root) { snprintf(out, outsz, "%s", path); return 0; }
  *fd = open_in_root_how(path, O_PATH, resolve_flags);
  if (*fd < 0) return -1;
  snprintf(out, outsz, "/proc/self/fd/%d", *fd);
  return 0;
}

/* procfs or sysfs: a user mount resolved there (through an image symlink) could cover a kernel interface */
static int on_kernel_fs(int fd) {
  struct statfs sf;
  return fstatfs(fd, &sf) == 0 && (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC);
}

/* ---------- steps ---------- */

static char errmsg[200];

#define FAIL(...) do { snprintf(errmsg, sizeof errmsg, __VA_ARGS__); return -1; } while (0)

/* Flags a bind remount must keep: the kernel refuses to clear locked ones inside a user namespace. */
static unsigned long locked_flags(const char *path) {
  struct statvfs sv;
  unsigned long f = 0;
  if (statvfs(path, &sv) < 0) return 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  return f;
}

static int do_mount(const struct step *s) {
  const char *src = S(s, MOUNT_SOURCE), *tgt = S(s, MOUNT_TARGET), *type = S(s, MOUNT_FSTYPE), *data = S(s, MOUNT_DATA);
  unsigned long flags = U(s, MOUNT_FLAGS);
  uint64_t pf = U(s, MOUNT_PATHS);
  char srcp[4200], tgtp[64 + 4096];
  int sfd = -1, tfd = -1, r = -1;
  if ((pf & PATH_TARGET_IN_ROOT) && (pf & PATH_MKDIR) && mkdir_in_root(tgt, 0755) < 0)
    FAIL("mkdir: %s", strerror(errno));
  if ((pf & PATH_TARGET_IN_ROOT) && (pf & PATH_MKFILE) && mkfile_in_root(tgt) < 0)
    FAIL("create the target: %s", strerror(errno));
  if (resolve(src, pf & PATH_SOURCE_IN_ROOT, 0, srcp, sizeof srcp, &sfd) < 0) {
    if ((pf & PATH_OPTIONAL) && errno == ENOENT) return 0;
    FAIL("source: %s", strerror(errno));
  }
  if (resolve(tgt, pf & PATH_TARGET_IN_ROOT, (pf & PATH_NO_SYMLINKS) ? RESOLVE_NO_SYMLINKS : 0, tgtp, sizeof tgtp, &tfd) < 0) {
    int e = errno;
    if (sfd >= 0) close(sfd);
    if ((pf & PATH_OPTIONAL) && e == ENOENT) return 0;
    errno = e;
    if (e == ELOOP && (pf & PATH_NO_SYMLINKS)) FAIL("target: %s is a symlink in the image (refused)", tgt);
    FAIL("target: %s", strerror(e));
  }
  if ((pf & PATH_NOT_KERNEL_FS) && on_kernel_fs(tfd)) {
    if (sfd >= 0) close(sfd);
    close(tfd);
    errno = EPERM;
    FAIL("target %s resolves into /proc or /sys (refused)", tgt);
  }
  if ((flags & MS_REMOUNT) && (flags & MS_BIND)) flags |= locked_flags(tgtp);
  r = mount(src[0] ? srcp : NULL, tgtp, type[0] ? type : NULL, flags, data[0] ? data : NULL);
  int e = errno;
  if (sfd >= 0) close(sfd);
  if (tfd >= 0) close(tfd);
  if (r < 0) { errno = e; FAIL("%s", strerror(e)); }
  return 0;
}

static int do_setattr(const struct step *s) {
  const char *tgt = S(s, SET_MOUNT_ATTR_TARGET);
  uint64_t pf = U(s, SET_MOUNT_ATTR_PATHS);
  struct mount_attr attr = { .attr_set = U(s, SET_MOUNT_ATTR_SET), .attr_clr = U(s, SET_MOUNT_ATTR_CLEAR), .propagation = U(s, SET_MOUNT_ATTR_PROPAGATION) };
  int fd = (pf & PATH_TARGET_IN_ROOT) ? open_in_root(tgt, O_PATH) : open(tgt, O_PATH | O_CLOEXEC);
  if (fd < 0) {
    if ((pf & PATH_OPTIONAL) && errno == ENOENT) return 0;
    FAIL("open %s: %s", tgt, strerror(errno));
  }
  /* mount_setattr on the fd: changes the mount the path resolved to, recursively if asked */
  int r = syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | ((pf & PATH_RECURSIVE) ? AT_RECURSIVE : 0), &attr, sizeof attr);
  int e = errno;
  close(fd);
  if (r < 0) { errno = e; FAIL("mount_setattr: %s", strerror(e)); }
  return 0;
}

static int do_set_root(const struct step *s) {
  int fd = open(S(s, SET_ROOT_PATH), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) FAIL("%s", strerror(errno));
  if (root_fd >= 0) close(root_fd);
  root_fd = fd;
  return 0;
}

static int do_mkdir(const struct step *s) {
  if (mkdir_in_root(S(s, MKDIR_PATH), (mode_t)U(s, MKDIR_MODE)) < 0) FAIL("%s", strerror(errno));
  return 0;
}

static int do_symlink(const struct step *s) {
  char dir[4096];
  const char *name;
  int pfd = open_parent_in_root(S(s, SYMLINK_PATH), dir, sizeof dir, &name);
  if (pfd < 0) FAIL("open parent of %s: %s", S(s, SYMLINK_PATH), strerror(errno));
  int r = symlinkat(S(s, SYMLINK_TARGET), pfd, name);  /* the link is created in the resolved parent only */
  int e = errno;
  close(pfd);
  if (r < 0 && e != EEXIST) { errno = e; FAIL("%s", strerror(e)); }
  return 0;
}

static int do_pivot_root(const struct step *s) {
  if (fchdir(root_fd) < 0) FAIL("fchdir root: %s", strerror(errno));
  if (U(s, PIVOT_ROOT_FLAGS) & PIVOT_NO_PIVOT) {
    /* asked for (the host root is not a mount, e.g. an initramfs): move the new root over / and chroot */
    if (mount(".", "/", NULL, MS_MOVE, NULL) < 0) FAIL("move root: %s", strerror(errno));
    if (chroot(".") < 0) FAIL("chroot: %s", strerror(errno));
  } else if (syscall(SYS_pivot_root, ".", ".") == 0) {
    /* pivot_root(".", "."): the old root is stacked under the new one, then detached (no put_old dir) */
    if (umount2(".", MNT_DETACH) < 0) FAIL("detach old root: %s", strerror(errno));
  } else {
    FAIL("pivot_root: %s%s", strerror(errno), errno == EINVAL ? " (is the host root a mount? if not, opt in to no-pivot)" : "");
  }
  if (chdir("/") < 0) FAIL("chdir /: %s", strerror(errno));
  close(root_fd);
  root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  return root_fd < 0 ? -1 : 0;
}

static int do_mknod(const struct step *s) {
  char dir[4096];
  const char *name;
  int pfd = open_parent_in_root(S(s, MKNOD_PATH), dir, sizeof dir, &name);
  if (pfd < 0) FAIL("open parent of %s: %s", S(s, MKNOD_PATH), strerror(errno));
  int r = mknodat(pfd, name, (mode_t)U(s, MKNOD_MODE), (dev_t)U(s, MKNOD_DEV));  /* device node in the resolved parent */
  int e = errno;
  close(pfd);
  if (r < 0 && e != EEXIST) { errno = e; FAIL("%s", strerror(e)); }
  return 0;
}

/*
 * Open a host device node by path, before pivot_root, and check by fstat that it is the character
 * device expected: binds take the node from this fd, never from a path the container could swap.
 */
static int open_host_device(const char *path, unsigned major, unsigned minor) {
  int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) FAIL("open host %s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != major || minor(st.st_rdev) != minor) {
    close(fd);
    errno = EPERM;
    FAIL("host %s is not the character device %u:%u (refused)", path, major, minor);
  }
  return fd;
}

/* Bind the node behind `src` (an fd) over `tfd`, nosuid and noexec, with no path in between: open_tree + move_mount. */
static int bind_fd(int src, int tfd) {
  int tree = syscall(SYS_open_tree, src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (tree < 0) return -1;
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC };
  int r = syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr);
  if (r == 0) r = syscall(SYS_move_mount, tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  int e = errno;
  close(tree);
  errno = e;
  return r;
}

/* The host's /dev/null, verified once: every masked file becomes a bind of it. */
static int null_fd = -1;

static int do_mask(const struct step *s) {
  const char *path = S(s, MASK_PATH);
  int fd = open_in_root(path, O_PATH | O_NOFOLLOW);
  if (fd < 0) { if (errno == ENOENT) return 0; FAIL("open %s: %s", path, strerror(errno)); }
  struct stat st;
  char p[64];
  int r = fstat(fd, &st);
  snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
  if (r == 0 && S_ISDIR(st.st_mode)) r = mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0");
  else if (r == 0) {
    if (null_fd < 0 && (null_fd = open_host_device("/dev/null", 1, 3)) < 0) { close(fd); return -1; }
    r = bind_fd(null_fd, fd);
  }
  int e = errno;
  close(fd);
  if (r < 0) { errno = e; FAIL("%s", strerror(e)); }
  return 0;
}

static int do_bind_device(const struct step *s) {
  const char *path = S(s, BIND_DEVICE_PATH);
  int src = open_host_device(path, (unsigned)U(s, BIND_DEVICE_MAJOR), (unsigned)U(s, BIND_DEVICE_MINOR));
  if (src < 0) return -1;
  if (mkfile_in_root(path) < 0) { close(src); FAIL("create %s: %s", path, strerror(errno)); }
  int tfd = open_in_root_how(path, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  struct stat st;
  int r = tfd < 0 || fstat(tfd, &st) < 0 ? -1 : 0;
  if (r == 0 && !S_ISREG(st.st_mode)) { errno = EPERM; r = -1; }  /* only over the empty file made above */
  if (r == 0) r = bind_fd(src, tfd);
  int e = errno;
  close(src);
  if (tfd >= 0) close(tfd);
  if (r < 0) { errno = e; FAIL("bind %s: %s", path, strerror(e)); }
  return 0;
}

/* After a credential change the kernel clears PDEATHSIG: set it again, then make sure the monitor did not already die. */
static int rearm_pdeathsig(void) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) FAIL("PR_SET_PDEATHSIG: %s", strerror(errno));
  struct pollfd p = { .fd = sync_fd, .events = POLLIN };
  if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) { errno = ESRCH; FAIL("the monitor is gone"); }
  return 0;
}

static int do_setuser(const struct step *s) {
  uint64_t uid = U(s, SET_USER_UID), gid = U(s, SET_USER_GID);
  int64_t ngroups = (int64_t)U(s, SET_USER_NGROUPS);
  gid_t groups[MAX_GROUPS];
  if (uid > MAX_ID || gid > MAX_ID) { errno = EINVAL; FAIL("user %llu:%llu out of range", (unsigned long long)uid, (unsigned long long)gid); }
  if (ngroups > MAX_GROUPS) FAIL("too many groups");
  for (int64_t i = 0; i < ngroups; i++) {
    uint64_t g = U(s, SET_USER_GROUPS + i);
    if (g > MAX_ID) { errno = EINVAL; FAIL("group %llu out of range", (unsigned long long)g); }
    groups[i] = g;
  }
  /* raw syscalls: per-thread credentials, no glibc setxid broadcast needed here */
  if (ngroups >= 0 && syscall(SYS_setgroups, (size_t)ngroups, groups) < 0) FAIL("setgroups: %s", strerror(errno));
  if (syscall(SYS_setresgid, gid, gid, gid) < 0) FAIL("setresgid %llu: %s", (unsigned long long)gid, strerror(errno));
  /* keep the permitted set across the uid change; the capabilities step then sets the final sets */
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) FAIL("PR_SET_KEEPCAPS: %s", strerror(errno));
  if (syscall(SYS_setresuid, uid, uid, uid) < 0) FAIL("setresuid %llu: %s", (unsigned long long)uid, strerror(errno));
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) FAIL("PR_SET_KEEPCAPS: %s", strerror(errno));
  return rearm_pdeathsig();
}

static int capset3(uint64_t eff, uint64_t prm, uint64_t inh) {
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct d[2] = {
    { (uint32_t)eff, (uint32_t)prm, (uint32_t)inh },
    { (uint32_t)(eff >> 32), (uint32_t)(prm >> 32), (uint32_t)(inh >> 32) },
  };
  return syscall(SYS_capset, &h, d);
}

static int do_caps(const struct step *s) {
  uint64_t bnd = U(s, CAPABILITIES_BOUNDING), eff = U(s, CAPABILITIES_EFFECTIVE), prm = U(s, CAPABILITIES_PERMITTED);
  uint64_t inh = U(s, CAPABILITIES_INHERITABLE), amb = U(s, CAPABILITIES_AMBIENT), last = U(s, CAPABILITIES_LAST_CAP);
  struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct cur[2];
  if (syscall(SYS_capget, &h, cur) < 0) FAIL("capget: %s", strerror(errno));
  uint64_t cur_prm = cur[0].permitted | ((uint64_t)cur[1].permitted << 32);
  /* a non-root uid change cleared the effective set: raise it again to be allowed to drop */
  if (capset3(cur_prm, cur_prm, 0) < 0) FAIL("capset (raise): %s", strerror(errno));
  for (uint64_t c = 0; c <= last; c++)
    if (!(bnd & (1ULL << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
      FAIL("PR_CAPBSET_DROP %llu: %s", (unsigned long long)c, strerror(errno));
  if (capset3(eff, prm, inh) < 0) FAIL("capset: %s", strerror(errno));
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    FAIL("PR_CAP_AMBIENT_CLEAR_ALL: %s", strerror(errno));
  for (uint64_t c = 0; c <= last; c++)
    if ((amb & (1ULL << c)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      FAIL("PR_CAP_AMBIENT_RAISE %llu: %s", (unsigned long long)c, strerror(errno));
  return 0;
}

static int do_seccomp(const struct step *s) {
  if (s->argc <= SECCOMP_FILTER) FAIL("bad seccomp program");
  const struct arg *f = &s->args[SECCOMP_FILTER];
  struct sock_fprog prog = { .len = (unsigned short)(f->len / 8), .filter = (struct sock_filter *)f->p };
  if (f->len % 8 != 0 || prog.len == 0 || f->len / 8 > 0xffff) FAIL("bad seccomp program");
  /* last step before exec: from here on the filter vets every syscall, execve included */
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned)U(s, SECCOMP_FLAGS), &prog) < 0) FAIL("%s", strerror(errno));
  return 0;
}

/* execve `file`, searched in envp's PATH (else `path`) when it has no '/'; returns only on failure. */
static void exec_in_path(const char *file, const char *path, char *const argv[], char *const envp[]) {
  if (strchr(file, '/')) { execve(file, argv, envp); return; }
  for (char *const *e = envp; *e; e++) if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  int saw_eacces = 0;
  char full[4096];
  for (const char *p = path;; p++) {
    const char *end = strchrnul(p, ':');
    int n = snprintf(full, sizeof full, "%.*s%s%s", (int)(end - p), p, end == p ? "" : "/", file);
    if (n > 0 && n < (int)sizeof full) {
      execve(full, argv, envp);
      if (errno == EACCES) saw_eacces = 1;
      else if (errno != ENOENT && errno != ENOTDIR) return;
    }
    if (!*end) break;
    p = end;
  }
  errno = saw_eacces ? EACCES : ENOENT;
}

static int do_exec(const struct step *s) {
  uint64_t argc = U(s, EXEC_ARGC);
  if (argc == 0 || argc + EXEC_ARGV_AND_ENV > s->argc || argc > MAX_ARGS) FAIL("bad exec step");
  uint64_t envc = s->argc - EXEC_ARGV_AND_ENV - argc;
  static char *argv[MAX_ARGS + 1], *envp[MAX_ARGS + 1];
  for (uint64_t i = 0; i < argc; i++) argv[i] = (char *)S(s, EXEC_ARGV_AND_ENV + i);
  argv[argc] = NULL;
  for (uint64_t i = 0; i < envc; i++) envp[i] = (char *)S(s, EXEC_ARGV_AND_ENV + argc + i);
  envp[envc] = NULL;
  exec_in_path(S(s, EXEC_FILE), S(s, EXEC_SEARCH_PATH), argv, envp);
  if (errno == ENOENT) FAIL("command not found");
  FAIL("%s", strerror(errno));
}

/* The working directory, resolved inside the root (no magic links such as /proc/self/fd/N), then checked (CVE-2024-21626). */
static int do_chdir(const struct step *s) {
  int fd = open_in_root(S(s, CHDIR_PATH), O_PATH | O_DIRECTORY);
  if (fd < 0) FAIL("%s", strerror(errno));
  int r = fchdir(fd);
  int e = errno;
  close(fd);
  if (r < 0) { errno = e; FAIL("%s", strerror(e)); }
  /* a cwd outside our root reads back as "(unreachable)/..." */
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd) || cwd[0] != '/') { errno = EPERM; FAIL("the working directory is outside the container's root (refused)"); }
  return 0;
}

/* Close every fd but the status and sync channels (close-on-exec alone would leave them usable during setup). */
static int do_close_fds(void) {
  int keep[2] = { status_w < sync_fd ? status_w : sync_fd, status_w < sync_fd ? sync_fd : status_w };
  unsigned from = 3;
  for (int i = 0; i < 2; i++) {
    if (keep[i] < 0) continue;
    if ((unsigned)keep[i] > from && syscall(SYS_close_range, from, keep[i] - 1, 0) < 0) FAIL("close_range: %s", strerror(errno));
    from = keep[i] + 1;
  }
  if (syscall(SYS_close_range, from, ~0U, 0) < 0) FAIL("close_range: %s", strerror(errno));
  return 0;
}

/* Write an existing file inside the root (a sysctl under /proc/sys, oom_score_adj): never create, never through a magic link. */
static int do_write_file(const struct step *s) {
  const struct arg *data = s->argc > WRITE_FILE_DATA ? &s->args[WRITE_FILE_DATA] : NULL;
  int fd = open_in_root(S(s, WRITE_FILE_PATH), O_WRONLY | O_NOFOLLOW);
  if (fd < 0) FAIL("open: %s", strerror(errno));
  ssize_t n = data ? write(fd, data->p, data->len) : 0;  /* procfs and sysfs files take one write(2) */
  int e = errno;
  close(fd);
  if (data && n != (ssize_t)data->len) { errno = n < 0 ? e : EIO; FAIL("write: %s", strerror(errno)); }
  return 0;
}

static int run_step(const struct step *s) {
  switch (s->op) {
    case OP_MOUNT: return do_mount(s);
    case OP_SET_MOUNT_ATTR: return do_setattr(s);
    case OP_SET_ROOT: return do_set_root(s);
    case OP_MKDIR: return do_mkdir(s);
    case OP_SYMLINK: return do_symlink(s);
    case OP_PIVOT_ROOT: return do_pivot_root(s);
    case OP_MASK: return do_mask(s);
    case OP_MKNOD: return do_mknod(s);
    case OP_BIND_DEVICE: return do_bind_device(s);
    case OP_CLOSE_FDS: return do_close_fds();
    case OP_UMASK:
      umask((mode_t)U(s, UMASK_MASK) & 0777);
      return 0;
    case OP_WRITE_FILE: return do_write_file(s);
    case OP_SETHOSTNAME:
      if (sethostname(S(s, SETHOSTNAME_NAME), strlen(S(s, SETHOSTNAME_NAME))) < 0) FAIL("%s", strerror(errno));
      return 0;
    case OP_SETDOMAINNAME:
      if (setdomainname(S(s, SETDOMAINNAME_NAME), strlen(S(s, SETDOMAINNAME_NAME))) < 0) FAIL("%s", strerror(errno));
      return 0;
    case OP_RLIMIT: {
      struct rlimit rl = { .rlim_cur = U(s, RLIMIT_SOFT), .rlim_max = U(s, RLIMIT_HARD) };
      if (prlimit(0, (int)U(s, RLIMIT_RESOURCE), &rl, NULL) < 0) FAIL("%s", strerror(errno));
      return 0;
    }
    case OP_SET_USER: return do_setuser(s);
    case OP_NO_NEW_PRIVS:
      /* no exec may gain privileges (setuid bits, file caps) from here on */
      if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) FAIL("%s", strerror(errno));
      return 0;
    case OP_CAPABILITIES: return do_caps(s);
    case OP_SECCOMP: return do_seccomp(s);
    case OP_CHDIR: return do_chdir(s);
    case OP_EXEC: return do_exec(s);
    default: FAIL("unknown step %u", s->op);
  }
}

/* Run steps [from, to): report each (trace) and stop at the first failure. */
static uint32_t failed_step;

static int run_steps(uint32_t from, uint32_t to, int (*runner)(const struct step *)) {
  for (uint32_t i = from; i < to; i++) {
    int64_t t0 = (prog_flags & PROGRAM_TRACE) ? now_ns() : 0;
    errmsg[0] = '\0';
    errno = 0;
    int r = runner(&steps[i]);
    int e = r < 0 ? (errno ? errno : EINVAL) : 0;
    if (r < 0) { failed_step = i; report('E', i, e, 0, errmsg); return -e; }
    if (prog_flags & PROGRAM_TRACE) report('T', i, 0, now_ns() - t0, NULL);
  }
  return 0;
}

/* ---------- the monitor's own steps ---------- */

static int do_join(const struct step *s) {
  int fd = open(S(s, JOIN_NAMESPACE_PATH), O_RDONLY | O_CLOEXEC);
  if (fd < 0) FAIL("open %s: %s", S(s, JOIN_NAMESPACE_PATH), strerror(errno));
  int r = setns(fd, (int)U(s, JOIN_NAMESPACE_NSTYPE));  /* join before clone: the child inherits it (pid: children only) */
  int e = errno;
  close(fd);
  if (r < 0) { errno = e; FAIL("setns: %s", strerror(e)); }
  return 0;
}

static int do_write_proc(const struct step *s) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/%s", child_pid, S(s, WRITE_PROC_FILE));
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) FAIL("open %s: %s", path, strerror(errno));
  size_t len = s->argc > WRITE_PROC_DATA && s->args[WRITE_PROC_DATA].len ? s->args[WRITE_PROC_DATA].len - 1 : 0;
  ssize_t n = write(fd, S(s, WRITE_PROC_DATA), len);  /* uid_map/gid_map must be written in one write(2) */
  int e = errno;
  close(fd);
  if (n != (ssize_t)len) { errno = n < 0 ? e : EIO; FAIL("write %s: %s", path, strerror(errno)); }
  return 0;
}

/* Run fn in the child's mount namespace (host privileges kept), then come back to ours. */
static int in_child_mounts(int (*fn)(const struct step *, int userns), const struct step *s) {
  char path[64];
  int r = -1;
  snprintf(path, sizeof path, "/proc/%d/ns/user", child_pid);
  int ufd = open(path, O_RDONLY | O_CLOEXEC);
  snprintf(path, sizeof path, "/proc/%d/ns/mnt", child_pid);
  int cmnt = open(path, O_RDONLY | O_CLOEXEC);
  int self = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (ufd < 0 || cmnt < 0 || self < 0) snprintf(errmsg, sizeof errmsg, "open namespaces: %s", strerror(errno));
  else if (setns(cmnt, CLONE_NEWNS) < 0) snprintf(errmsg, sizeof errmsg, "setns into the container's mounts: %s", strerror(errno));
  else {
    r = fn(s, ufd);
    int e = errno;
    if (setns(self, CLONE_NEWNS) < 0) { r = -1; e = errno; snprintf(errmsg, sizeof errmsg, "setns back: %s", strerror(e)); }
    errno = e;
  }
  int fds[] = { ufd, cmnt, self };
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) if (fds[i] >= 0) close(fds[i]);
  return r;
}

/*
 * A directory seen through the container's uid/gid map: files owned by host root appear owned by the
 * container's root, without a chown of the image. Creating an idmapped mount needs CAP_SYS_ADMIN over
 * the tree's mount namespace, which the monitor has and the container does not. The mount namespace
 * of a new user namespace has no shared mounts, so nothing attached there propagates to the host.
 */
static int idmap_mount(const struct step *s, int userns) {
  /* a detached copy of the mount at source (not its submounts) */
  int tree = syscall(SYS_open_tree, AT_FDCWD, S(s, IDMAP_MOUNT_SOURCE), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (tree < 0) { snprintf(errmsg, sizeof errmsg, "open_tree: %s", strerror(errno)); return -1; }
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
  int r = syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr);
  if (r < 0) snprintf(errmsg, sizeof errmsg, "mount_setattr(MOUNT_ATTR_IDMAP): %s (does the filesystem support idmapped mounts?)", strerror(errno));
  /* attach the copy over target, in the namespace we are in now: the child's */
  else if ((r = syscall(SYS_move_mount, tree, "", AT_FDCWD, S(s, IDMAP_MOUNT_TARGET), MOVE_MOUNT_F_EMPTY_PATH)) < 0)
    snprintf(errmsg, sizeof errmsg, "move_mount: %s", strerror(errno));
  int e = errno;
  close(tree);
  errno = e;
  return r;
}

/* An overlay mounted by the monitor: trusted.overlay.* (opaque dirs, whiteouts) need host privileges. */
static int child_mount(const struct step *s, int userns) {
  (void)userns;
  const char *data = S(s, CHILD_MOUNT_DATA);
  if (mount(S(s, CHILD_MOUNT_SOURCE), S(s, CHILD_MOUNT_TARGET), S(s, CHILD_MOUNT_FSTYPE), U(s, CHILD_MOUNT_FLAGS), data[0] ? data : NULL) < 0) {
    snprintf(errmsg, sizeof errmsg, "%s", strerror(errno));
    return -1;
  }
  return 0;
}

static int do_forward_signals(const struct step *s);

/* A device allowlist on the container's cgroup, attached before the process is created in it (runc's model, BPF_F_ALLOW_MULTI). */
static int do_device_filter(const struct step *s) {
  if (s->argc <= DEVICE_FILTER_PROGRAM || s->args[DEVICE_FILTER_PROGRAM].len % 8 != 0) FAIL("bad device filter");
  const struct arg *prog = &s->args[DEVICE_FILTER_PROGRAM];
  int cg = open(S(s, DEVICE_FILTER_CGROUP), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg < 0) FAIL("open %s: %s", S(s, DEVICE_FILTER_CGROUP), strerror(errno));
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t)(uintptr_t)prog->p;
  attr.insn_cnt = prog->len / 8;
  attr.license = (uint64_t)(uintptr_t)"Apache";  /* calls no GPL-only helper; the kernel wants a license all the same */
  int fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
  if (fd < 0) { int e = errno; close(cg); errno = e; FAIL("bpf(BPF_PROG_LOAD): %s", strerror(e)); }
  memset(&attr, 0, sizeof attr);
  attr.target_fd = cg;
  attr.attach_bpf_fd = fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  /* the attachment keeps the program alive until the cgroup is removed: both fds can go */
  int r = syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr);
  int e = errno;
  close(fd);
  close(cg);
  if (r < 0) { errno = e; FAIL("bpf(BPF_PROG_ATTACH) to %s: %s", S(s, DEVICE_FILTER_CGROUP), strerror(e)); }
  return 0;
}

static int monitor_step(const struct step *s) {
  switch (s->op) {
    case OP_JOIN_NAMESPACE: return do_join(s);
    case OP_FORWARD_SIGNALS: return do_forward_signals(s);
    case OP_DEVICE_FILTER: return do_device_filter(s);
    case OP_WRITE_PROC: return do_write_proc(s);
    case OP_IDMAP_MOUNT: return in_child_mounts(idmap_mount, s);
    case OP_CHILD_MOUNT: return in_child_mounts(child_mount, s);
    case OP_AWAIT_PARENT: {
      char go;
      if (read_full(ctl, &go, 1) < 0 || go != 'G') FAIL("parent did not release the container");
      return 0;
    }
    default: FAIL("step %u cannot run in the monitor", s->op);
  }
}

/* ---------- signals ---------- */

/* The signals passed on to the container's init (a forwardSignals step names them: policy stays in TypeScript). */
static int forwarded[64];
static size_t nforwarded;

static int do_forward_signals(const struct step *s) {
  for (uint32_t i = FORWARD_SIGNALS_SIGNALS; i < s->argc; i++) {
    uint64_t sig = U(s, i);
    if (sig == 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP || nforwarded == sizeof forwarded / sizeof forwarded[0]) FAIL("cannot forward signal %llu", (unsigned long long)sig);
    forwarded[nforwarded++] = (int)sig;
  }
  return 0;
}

static void forward(int sig) { if (child_pid > 0) kill(child_pid, sig); }

static void block_forwarded(int how) {
  sigset_t set;
  sigemptyset(&set);
  for (size_t i = 0; i < nforwarded; i++) sigaddset(&set, forwarded[i]);
  sigprocmask(how, &set, NULL);
}

/* The command starts with default dispositions and an empty mask (Node ignores SIGPIPE, SIGXFSZ). */
static void reset_signals(void) {
  struct sigaction sa = { .sa_handler = SIG_DFL };
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &sa, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ---------- self-protection (CVE-2019-5736) ---------- */

/*
 * Run from a sealed memfd copy of this binary, so that /proc/<pid>/exe of the container's init
 * (this program until it execs the command) names an immutable anonymous file, not a host binary.
 */
static void reexec_sealed(char **argv) {
  char self[64];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) { self[n] = '\0'; if (strncmp(self, "/memfd:", 7) == 0) return; }
  int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  int mfd = memfd_create("tincan-nsexec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  struct stat st;
  if (src < 0 || mfd < 0 || fstat(src, &st) < 0) { perror("tincan-nsexec: memfd"); exit(125); }
  for (off_t off = 0; off < st.st_size;) {
    ssize_t c = sendfile(mfd, src, &off, st.st_size - off);
    if (c <= 0) { perror("tincan-nsexec: copy self"); exit(125); }
  }
  /* sealed: nobody, root included, can change these bytes again */
  if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) { perror("tincan-nsexec: seal"); exit(125); }
  close(src);
  fexecve(mfd, argv, environ);
  perror("tincan-nsexec: fexecve");
  exit(125);
}

/* ---------- main ---------- */

static void child_main(uint32_t first, int sync_r) {
  is_child = 1;
  sync_fd = sync_r;
  reset_signals();
  /* the container dies with its monitor */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  /* a session of its own: the caller's terminal is never its controlling terminal (no TIOCSTI, no /dev/tty) */
  setsid();
  /* setup creates files with the modes it names; the command gets the umask a step sets */
  umask(0);
  char go;
  if (read_full(sync_r, &go, 1) < 0) _exit(125);  /* monitor died before release */
  /* not dumpable during setup: other processes cannot open our /proc entries (exe, fds) */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  int e = -run_steps(first, nsteps, run_step);
  /* shell conventions for a command that cannot run: 127 not found, 126 not executable */
  if (steps[failed_step].op == OP_EXEC) _exit(e == ENOENT ? 127 : 126);
  _exit(125);
}

/* Read the child's step records until EOF (= it exec'd or died); forward them. Returns 1 on error. */
static int relay_status(int status_r) {
  struct record r;
  int failed = 0;
  for (;;) {
    ssize_t n = read(status_r, &r, sizeof r);
    if (n < 0 && errno == EINTR) continue;
    if (n != (ssize_t)sizeof r) break;
    r.msg[sizeof r.msg - 1] = '\0';
    if (r.kind == 'E') { failed = 1; ctl_printf("E %u %d %s\n", r.step, r.err, r.msg); }
    else ctl_printf("T %u %d %lld\n", r.step, r.err, (long long)r.ns);
  }
  return failed;
}

int main(int argc, char **argv) {
  (void)argc;
  reexec_sealed(argv);
  /* the monitor dies with Node (and the container with it) */
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (argc > 1 && getppid() != (pid_t)atoi(argv[1])) return 125;
  if (parse_program() < 0) { fprintf(stderr, "tincan-nsexec: no valid program on fd 3\n"); return 125; }

  uint32_t clone_at = nsteps, release_at = nsteps;
  for (uint32_t i = 0; i < nsteps; i++) {
    if (steps[i].op == OP_CLONE && clone_at == nsteps) clone_at = i;
    if (steps[i].op == OP_RELEASE && release_at == nsteps) release_at = i;
  }
  if (clone_at == nsteps || release_at < clone_at || release_at == nsteps) {
    fprintf(stderr, "tincan-nsexec: program needs CLONE then RELEASE\n");
    return 125;
  }
  if (release_at + 1 >= nsteps || steps[release_at + 1].op != OP_CLOSE_FDS) {
    fprintf(stderr, "tincan-nsexec: the first container step must close the inherited fds\n");
    return 125;
  }
  if (run_steps(0, clone_at, monitor_step) < 0) return 125;

  int sync[2], status[2];
  if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0) return 125;
  const struct step *cs = &steps[clone_at];
  const char *cgroup = S(cs, CLONE_CGROUP);
  int cgfd = cgroup[0] ? open(cgroup, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  if (cgroup[0] && cgfd < 0) { snprintf(errmsg, sizeof errmsg, "open cgroup %s: %s", cgroup, strerror(errno)); report('E', clone_at, errno, 0, errmsg); return 125; }
  struct clone_args ca = { .flags = U(cs, CLONE_FLAGS), .exit_signal = SIGCHLD };
  if (cgfd >= 0) { ca.flags |= CLONE_INTO_CGROUP; ca.cgroup = cgfd; }  /* placed atomically: no escape window */
  block_forwarded(SIG_BLOCK);
  int64_t t0 = now_ns();
  pid_t pid = syscall(SYS_clone3, &ca, sizeof ca);
  if (pid == 0) {
    close(sync[1]);
    close(status[0]);
    status_w = status[1];
    child_main(release_at + 1, sync[0]);
  }
  if (pid < 0) {
    snprintf(errmsg, sizeof errmsg, "clone3: %s%s", strerror(errno), errno == EINVAL && cgfd >= 0 ? " (CLONE_INTO_CGROUP needs Linux 5.7)" : "");
    report('E', clone_at, errno, 0, errmsg);
    return 125;
  }
  child_pid = pid;
  struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
  for (size_t i = 0; i < nforwarded; i++) sigaction(forwarded[i], &sa, NULL);
  block_forwarded(SIG_UNBLOCK);
  if (cgfd >= 0) close(cgfd);
  close(sync[0]);
  close(status[1]);
  ctl_printf("P %d\n", pid);
  if (prog_flags & PROGRAM_TRACE) report('T', clone_at, 0, now_ns() - t0, NULL);

  int failed = run_steps(clone_at + 1, release_at, monitor_step) < 0;
  if (failed) kill(pid, SIGKILL);
  else if (write(sync[1], "G", 1) != 1) { kill(pid, SIGKILL); failed = 1; }
  /* sync[1] stays open until we exit: the child sees POLLHUP on its end once we are gone */
  if (!failed) failed = relay_status(status[0]);
  close(status[0]);
  if (!failed) ctl_printf("S\n");

  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  if (WIFSIGNALED(st)) { ctl_printf("X %d %d\n", 128 + WTERMSIG(st), WTERMSIG(st)); return 128 + WTERMSIG(st); }
  ctl_printf("X %d 0\n", WEXITSTATUS(st));
  return WEXITSTATUS(st);
}
