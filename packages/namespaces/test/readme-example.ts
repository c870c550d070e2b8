import { formatIdMap, parseIdMap, planNamespaces, toHostId } from '../src';

// New user, mount, pid, uts and ipc namespaces; share an existing network namespace (here our own).
const plan = planNamespaces([
  { type: 'user' },
  { type: 'mount' },
  { type: 'pid' },
  { type: 'uts' },
  { type: 'ipc' },
  { type: 'net', path: '/proc/self/ns/net' },
]);
export const cloneFlags = plan.cloneFlags; // CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC
export const joins = plan.joins; // [{ type: 'net', path: '/proc/self/ns/net', flag: CLONE_NEWNET }]: setns first

const uidMap = parseIdMap('0:100000:65536');
export const uidMapText = formatIdMap(uidMap); // '0 100000 65536\n', for /proc/PID/uid_map
export const hostRoot = toHostId(uidMap, 0); // 100000
