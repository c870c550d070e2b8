import { CLONE_NEWUSER } from '@tincan/libc-core';
import { ENOSYS } from '../actions';
import type { ArgCondition, SeccompProfile, SyscallRule } from '../types';
import { AF_ALG, AF_VSOCK, deny, denyTerminalInput } from './deny';
import { deepFreeze } from './freeze';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;

/** (args[index] & bit) == bit. */
function hasBit(index: ArgCondition['index'], bit: number): ArgCondition {
  return { index, op: 'MASKED_EQ', value: bit, valueTwo: bit };
}

/** EPERM for a chmod-family call whose mode (argument `modeArg`) sets the setuid or the setgid bit. */
function denySetid(name: string, modeArg: ArgCondition['index']): SyscallRule[] {
  return [deny([name], hasBit(modeArg, S_ISUID)), deny([name], hasBit(modeArg, S_ISGID))];
}

/**
 * contained.c's deny list: allow everything except what lets a container reach outside its namespaces.
 * Meant to sit on top of dropped capabilities, as in contained.c.
 */
export const contained: SeccompProfile = deepFreeze({
  defaultAction: 'allow',
  architectures: ['x86_64', 'aarch64'],
  syscalls: [
    // the kernel keyring is not namespaced
    deny(['keyctl', 'add_key', 'request_key']),
    // ptrace of a process outside the container's view, and a classic seccomp bypass on old kernels
    deny(['ptrace']),
    // NUMA memory policy of other processes (and a denial of service on the host's nodes)
    deny(['mbind', 'migrate_pages', 'move_pages', 'set_mempolicy']),
    // userfaultfd stalls kernel page faults: the workhorse of kernel race exploits
    deny(['userfaultfd']),
    // vsock reaches the hypervisor's host, which no namespace isolates; AF_ALG is kernel crypto attack surface
    deny(['socket'], { index: 0, op: 'EQ', value: AF_VSOCK }),
    deny(['socket'], { index: 0, op: 'EQ', value: AF_ALG }),
    // perf events leak kernel addresses and have a long history of privilege escalations
    deny(['perf_event_open']),
    // io_uring runs operations in kernel workers that seccomp never sees (its socket op made AF_VSOCK sockets past a rule)
    deny(['io_uring_setup', 'io_uring_enter', 'io_uring_register']),
    // a setuid/setgid file made in the container would escalate for anyone who runs it from the host
    ...denySetid('chmod', 1),
    ...denySetid('fchmod', 1),
    ...denySetid('fchmodat', 2),
    ...denySetid('fchmodat2', 2),
    // a new user namespace hands back a full capability set inside it (clone/unshare flags are arg0)
    deny(['unshare', 'clone'], hasBit(0, CLONE_NEWUSER)),
    // clone3's flags are in memory BPF cannot read; ENOSYS makes glibc fall back to clone, which we can check
    { names: ['clone3'], action: 'errno', errno: ENOSYS },
    // no typing into a terminal the container shares with the host (TIOCSTI, TIOCLINUX)
    ...denyTerminalInput,
  ],
});
