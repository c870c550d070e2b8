// The examples, run for real: what another project gets from tincan's packages (root; containers and cgroups).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectCgroupV2 } from '@tincan/cgroups-v2';
import { busyboxRootfs } from '@tincan/testkit';
import { runWithSysctls, sysctlPlugin } from '../src/custom-runtime';
import { runFiltered } from '../src/seccomp-alone';
import { runLimited } from '../src/cgroup-alone';

describe('a custom runtime: a subset of the plugins plus a sysctl plugin of our own', () => {
  const rootfs = busyboxRootfs();
  afterAll(() => rmSync(rootfs, { recursive: true, force: true }));

  it('sets a namespaced sysctl inside the container, and only there', async () => {
    const host = require('node:fs').readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8');
    const out = await runWithSysctls(rootfs, { 'net.ipv4.ip_unprivileged_port_start': '80' }, ['cat', '/proc/sys/net/ipv4/ip_unprivileged_port_start']);
    expect(out).toBe('80\n');
    expect(require('node:fs').readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')).toBe(host);
  });

  it('refuses a name that is not a sysctl (no path tricks)', () => {
    expect(() => sysctlPlugin({ '../../etc/passwd': 'x' }).prepare?.({} as never)).toThrow(/not a sysctl name/);
  });
});

describe('a seccomp filter alone, on a process of our own', () => {
  it('lets ordinary programs run and denies what docker denies', async () => {
    expect(await runFiltered(['/bin/true'])).toBe(0);
    // unshare(CLONE_NEWUSER) is denied by docker's profile for a process without CAP_SYS_ADMIN
    expect(await runFiltered(['/usr/bin/unshare', '--user', 'true'])).not.toBe(0);
  });
});

describe('a cgroup alone, with limits and live stats', () => {
  const dir = mkdtempSync(join(tmpdir(), 'examples-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a process in it, reads its stats, and removes it', async () => {
    // a hybrid host's cgroup2 has no pids controller: the limit is then left out (the VM tests enforce it)
    const limits = detectCgroupV2().controllers.includes('pids') ? { pids: { max: 16 } } : {};
    const r = await runLimited('i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3', limits);
    expect(r.code).toBe(3);
    expect(r.stats.cpu.usage_usec).toBeGreaterThan(0);
  });
});
