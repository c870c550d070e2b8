import { readFileSync } from 'node:fs';
import { detectCgroupV2 } from '../src';
import { cgroupModeOf, parseMountinfo, parseProcCgroup } from '../src/host';

describe('detectCgroupV2 on this host (hybrid: v1 controllers, cgroup2 with hugetlb only)', () => {
  const host = detectCgroupV2();

  it('finds the cgroup2 mount at /sys/fs/cgroup/unified and calls the host hybrid', () => {
    expect(host.mountpoint).toBe('/sys/fs/cgroup/unified');
    expect(host.mode).toBe('hybrid');
  });

  it('lists the controllers cgroup2 has here: hugetlb, none of memory/cpu/pids/io', () => {
    expect(host.controllers).toContain('hugetlb');
    for (const c of ['memory', 'cpu', 'pids', 'io']) expect(host.controllers).not.toContain(c);
  });

  it("reports this process's cgroup2 path from /proc/self/cgroup", () => {
    const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    expect(host.ownCgroup).toBe(line?.slice(3));
    expect(host.ownCgroup.startsWith('/')).toBe(true);
  });
});

describe('mount table parsing', () => {
  const unified = [
    '25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw',
    '26 25 0:24 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:8 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot',
  ].join('\n');
  const hybrid = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
  ].join('\n');
  const legacy = '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory';

  it.each([
    ['unified', unified],
    ['hybrid', hybrid],
    ['none', legacy],
  ])('%s', (mode, text) => {
    expect(cgroupModeOf(parseMountinfo(text))).toBe(mode);
  });

  it('unescapes octal escapes in mount points', () => {
    expect(parseMountinfo('40 1 0:5 / /mnt/a\\040b rw - cgroup2 none rw')).toEqual([{ mountpoint: '/mnt/a b', fstype: 'cgroup2' }]);
  });

  it('reads the 0:: line of /proc/PID/cgroup', () => {
    expect(parseProcCgroup('4:memory:/x\n0::/user.slice/a.scope\n')).toBe('/user.slice/a.scope');
    expect(parseProcCgroup('4:memory:/x\n')).toBe('');
  });
});
