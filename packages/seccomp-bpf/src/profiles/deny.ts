import { EPERM } from '../actions';
import type { ArgCondition, SyscallRule } from '../types';

/** Socket families no namespace contains: the kernel crypto API, and vsock to the hypervisor's host. */
export const AF_ALG = 38;
export const AF_VSOCK = 40;

const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;

/** EPERM for `names` when every condition holds (always, without conditions). */
export function deny(names: string[], ...args: ArgCondition[]): SyscallRule {
  return { names, action: 'errno', errno: EPERM, ...(args.length ? { args } : {}) };
}

/**
 * EPERM for the ioctls that type into a terminal: TIOCSTI pushes bytes into its input, and TIOCLINUX selects
 * and pastes text on a virtual console. Through a tty shared with the host they run commands outside.
 */
export const denyTerminalInput: readonly SyscallRule[] = [TIOCSTI, TIOCLINUX].map((request) =>
  deny(['ioctl'], { index: 1, op: 'EQ', value: request }));
