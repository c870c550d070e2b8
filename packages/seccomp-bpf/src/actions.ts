import { constants } from 'node:os';
import {
  SECCOMP_RET_ALLOW, SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
  SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP,
} from './bpf';
import { SeccompProfileError } from './errors';
import type { Action } from './types';
import { checkErrno } from './values';

export const EPERM = constants.errno.EPERM;
export const ENOSYS = constants.errno.ENOSYS;

const RET: Readonly<Record<Action, number>> = {
  allow: SECCOMP_RET_ALLOW,
  errno: SECCOMP_RET_ERRNO,
  kill_process: SECCOMP_RET_KILL_PROCESS,
  kill_thread: SECCOMP_RET_KILL_THREAD,
  trap: SECCOMP_RET_TRAP,
  log: SECCOMP_RET_LOG,
  trace: SECCOMP_RET_TRACE,
};

export const ACTIONS: readonly Action[] = Object.freeze(Object.keys(RET) as Action[]);

/**
 * The filter's 32-bit return value for `action`; errno/trace carry `errno` (default EPERM) in the data
 * bits. The paths name the fields in errors.
 */
export function actionReturn(action: Action, errno: number | undefined, actionPath: string, errnoPath: string): number {
  if (!Object.hasOwn(RET, action)) throw new SeccompProfileError(actionPath, `unknown action "${String(action)}"`);
  const takesData = action === 'errno' || action === 'trace';
  if (!takesData && errno !== undefined) {
    throw new SeccompProfileError(errnoPath, `an errno is only used by 'errno' and 'trace' actions, not '${action}'`);
  }
  if (!takesData) return RET[action];
  return (RET[action] | (checkErrno(errno ?? EPERM, errnoPath) & SECCOMP_RET_DATA)) >>> 0;
}
