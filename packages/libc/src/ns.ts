import { NS_GET_NSTYPE } from '@tincan/libc-core';
import { check, fn } from './lib';

const ioctlC = fn<(fd: number, request: number) => number>('int ioctl(int fd, unsigned long request, ...)');

/** The CLONE_NEW* value of the namespace behind `fd` (an open /proc/PID/ns/* or bind-mounted ns file). */
export function nsGetType(fd: number, path?: string): number {
  // ioctl(NS_GET_NSTYPE): ask nsfs which kind of namespace this fd refers to (ENOTTY: not a namespace file).
  return check(ioctlC(fd, NS_GET_NSTYPE), 'ioctl(NS_GET_NSTYPE)', path);
}
