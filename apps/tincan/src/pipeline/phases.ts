/**
 * The order of the container's own setup, from clone to exec. Security-critical, so it is written
 * down once, here; the pipeline emits steps strictly in this order, whatever order plugins run in.
 *
 *   fds                 close every fd inherited from the runtime (only the status channel stays) before anything else
 *   identity            become root of the new user namespace (the maps are written by then)
 *   rootfs              private propagation, the root mounted (bind or overlay), nodev, and opened: in-root paths resolve in it
 *   mounts              /proc, /dev (verified host device binds), /sys, tmpfs, volumes (a plugin's mounts and sysctls too)
 *   kernel_paths        masked and read-only kernel paths, after every other mount so none can cover or redirect them,
 *                       and before pivot_root so that every mount source and target is reached through the host's /proc
 *   pivot_root          seal the root read-only if asked (after every mount made its mountpoint), switch to it, detach the old one
 *   hostname            hostname and domain name (uts namespace)
 *   rlimits             resource limits, while still privileged enough to set them
 *   seccomp_privileged  only without no_new_privs: the kernel then wants CAP_SYS_ADMIN to load a filter, so it
 *                       goes in before the user switch drops it (as runc); the filter must allow every later step
 *   user                setgroups, setresgid, setresuid (capabilities kept for the next phases), umask, PDEATHSIG again
 *   no_new_privs        no later exec can gain privileges
 *   capabilities        bounding set drops, then effective/permitted/inheritable/ambient
 *   cwd                 the working directory, resolved inside the root and checked, as the final user
 *   seccomp             the filter, last: every step before it may need syscalls the filter denies
 *   exec                execve the command
 */
export const SETUP_ORDER = [
  'fds',
  'identity',
  'rootfs',
  'mounts',
  'kernel_paths',
  'pivot_root',
  'hostname',
  'rlimits',
  'seccomp_privileged',
  'user',
  'no_new_privs',
  'capabilities',
  'cwd',
  'seccomp',
  'exec',
] as const;

export type SetupPhase = (typeof SETUP_ORDER)[number];
