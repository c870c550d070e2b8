import { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS } from '@tincan/libc-core';
import { NAMESPACE_TYPES, cloneFlag, namespaceTypeOfFlag, procName } from '../src';

describe('namespace types', () => {
  it.each([
    ['mount', CLONE_NEWNS, 0x00020000, 'mnt'],
    ['pid', CLONE_NEWPID, 0x20000000, 'pid'],
    ['uts', CLONE_NEWUTS, 0x04000000, 'uts'],
    ['ipc', CLONE_NEWIPC, 0x08000000, 'ipc'],
    ['net', CLONE_NEWNET, 0x40000000, 'net'],
    ['cgroup', CLONE_NEWCGROUP, 0x02000000, 'cgroup'],
    ['user', CLONE_NEWUSER, 0x10000000, 'user'],
    ['time', 0x80, 0x80, 'time'],
  ] as const)('%s: flag %d (0x%s), /proc/PID/ns/%s', (type, libcFlag, value, proc) => {
    expect(cloneFlag(type)).toBe(libcFlag);
    expect(cloneFlag(type)).toBe(value);
    expect(procName(type)).toBe(proc);
    expect(namespaceTypeOfFlag(value)).toBe(type);
  });

  it('has eight types with distinct flags', () => {
    expect(new Set(NAMESPACE_TYPES.map(cloneFlag)).size).toBe(8);
    expect(namespaceTypeOfFlag(0x1)).toBeUndefined();
  });
});
