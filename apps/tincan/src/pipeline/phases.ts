/**
 * The order of the container's own setup, from clone to exec. Security-critical, so it is written
 * down once, here; the pipeline emits steps strictly in this order, whatever order plugins run in.
 *
 *   identity      become root of the new user namespace (the maps are written by then)
 *   rootfs        private propagation, the root mounted (bind or overlay) and opened: in-root paths resolve in it
 *   mounts        /proc, /dev, /sys, tmpfs, volumes, read-only root
 *   pivot_root    switch to the new root, detach the old one, mask and protect kernel paths
 *   hostname      hostname and domain name (uts namespace)
 *   rlimits       resource limits, while still privileged enough to set them
 *   user          setgroups, setresgid, setresuid (capabilities kept for the next phases)
 *   no_new_privs  no later exec can gain privileges
 *   capabilities  bounding set drops, then effective/permitted/inheritable/ambient
 *   seccomp       the filter, last: every step before it may need syscalls the filter denies
 *   exec          chdir to the working directory, then execve the command
 */
export const SETUP_ORDER = [
  'identity',
  'rootfs',
  'mounts',
  'pivot_root',
  'hostname',
  'rlimits',
  'user',
  'no_new_privs',
  'capabilities',
  'seccomp',
  'exec',
] as const;

export type SetupPhase = (typeof SETUP_ORDER)[number];
