import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KernelFeatureError, SyscallError } from '@tincan/libc-core';
import { Cgroup, CgroupLimitError, CgroupUnavailableError, CgroupWriteError, detectCgroupV2 } from '../src';
import { sigkillEachProcess } from '../src/processes';
import { sandboxPerTest, UNIFIED, cgroupEvents } from './helpers';

// Freeze and kill are cgroup v2 core features: they work here although this hybrid host's
// cgroup2 has no memory/cpu/pids/io controllers.
describe('Cgroup lifecycle under /sys/fs/cgroup/unified', () => {
  const sandbox = sandboxPerTest();

  it('creates the directory under its parent and refuses to create it twice', async () => {
    const cg = await Cgroup.create('c1', { parent: sandbox().parent });
    expect(cg.path).toBe(join(UNIFIED, sandbox().parent, 'c1'));
    expect(existsSync(join(cg.path, 'cgroup.procs'))).toBe(true);
    const again = Cgroup.create('c1', { parent: sandbox().parent });
    await expect(again).rejects.toBeInstanceOf(SyscallError);
    await expect(Cgroup.create('c1', { parent: sandbox().parent })).rejects.toMatchObject({
      code: 'EEXIST',
      path: cg.path,
      message: expect.stringContaining('the cgroup already exists'),
    });
  });

  it('takes the parent as a cgroup path or as a directory under the mountpoint', async () => {
    const a = await Cgroup.create('a', { parent: `/${sandbox().parent}/nested` });
    const b = await Cgroup.create('b', { parent: join(UNIFIED, sandbox().parent, 'nested') });
    expect(a.path).toBe(join(UNIFIED, sandbox().parent, 'nested', 'a'));
    expect(b.path).toBe(join(UNIFIED, sandbox().parent, 'nested', 'b'));
    await expect(Cgroup.create('x', { parent: '../escape' })).rejects.toThrow(CgroupLimitError);
    await expect(Cgroup.create('../x', { parent: sandbox().parent })).rejects.toThrow('invalid cgroup name value "../x"');
  });

  it('adds a process, freezes, thaws, kills it by SIGKILL and removes the directory', async () => {
    const cg = await Cgroup.create('life', { parent: sandbox().parent });
    const { pid, exit } = await sandbox().sleeper();
    cg.addProcess(pid);
    expect(cg.procs()).toEqual([pid]);
    expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toContain(`0::/${sandbox().parent}/life\n`);
    expect(cg.populated()).toBe(true);

    await cg.freeze();
    expect(cgroupEvents(cg.path).frozen).toBe(1);
    await cg.thaw();
    expect(cgroupEvents(cg.path).frozen).toBe(0);

    await cg.kill();
    expect(await exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(cg.procs()).toEqual([]);
    await cg.remove();
    expect(existsSync(cg.path)).toBe(false);
    await cg.remove(); // idempotent
  });

  it('kills a frozen cgroup', async () => {
    const cg = await Cgroup.create('frozen', { parent: sandbox().parent });
    const { pid, exit } = await sandbox().sleeper();
    cg.addProcess(pid);
    await cg.freeze();
    await cg.kill();
    expect((await exit).signal).toBe('SIGKILL');
  });

  it('remove() kills what is still running, in child cgroups too', async () => {
    const cg = await Cgroup.create('busy', { parent: sandbox().parent });
    mkdirSync(join(cg.path, 'inner'));
    const outer = await sandbox().sleeper();
    const inner = await sandbox().sleeper();
    cg.addProcess(outer.pid);
    Cgroup.open(join(cg.path, 'inner')).addProcess(inner.pid);
    await cg.remove();
    expect((await outer.exit).signal).toBe('SIGKILL');
    expect((await inner.exit).signal).toBe('SIGKILL');
    expect(existsSync(cg.path)).toBe(false);
  });

  it('kills pid by pid where cgroup.kill is missing (kernels before 5.14)', async () => {
    const cg = await Cgroup.create('bypid', { parent: sandbox().parent });
    mkdirSync(join(cg.path, 'inner'));
    const a = await sandbox().sleeper();
    const b = await sandbox().sleeper();
    cg.addProcess(a.pid);
    Cgroup.open(join(cg.path, 'inner')).addProcess(b.pid);
    expect(sigkillEachProcess(cg.path)).toBe(2);
    expect([(await a.exit).signal, (await b.exit).signal]).toEqual(['SIGKILL', 'SIGKILL']);
  });

  it('reads the stats this host offers: cpu.stat only', async () => {
    const cg = await Cgroup.create('stats', { parent: sandbox().parent });
    const stats = cg.stats();
    expect(stats.memory).toBeUndefined();
    expect(stats.pids).toBeUndefined();
    expect(stats.cpu).toEqual(expect.objectContaining({ usage_usec: expect.any(Number), user_usec: expect.any(Number) }));
    expect(cg.oomKilled()).toBe(false);
  });

  it('reports a failed cgroupfs write with the file, errno and value', async () => {
    const cg = await Cgroup.create('bad', { parent: sandbox().parent });
    let err: unknown;
    try {
      cg.addProcess(2 ** 30);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CgroupWriteError);
    expect(err).toMatchObject({ path: join(cg.path, 'cgroup.procs'), value: String(2 ** 30), code: 'ESRCH', errno: 3 });
    expect(String(err)).toContain(`write "${2 ** 30}" to ${cg.path}/cgroup.procs: ESRCH`);
  });

  it('refuses a memory limit here with CgroupUnavailableError naming memory, the mount and --cgroups off', async () => {
    const attempt = Cgroup.create('mem', { parent: sandbox().parent, limits: { memory: { max: 32n << 20n }, pids: { max: 10 } } });
    await expect(attempt).rejects.toBeInstanceOf(CgroupUnavailableError);
    await expect(attempt).rejects.toMatchObject({ missing: ['memory', 'pids'], mountpoint: UNIFIED });
    await expect(attempt).rejects.toThrow(/memory, pids not available at \/sys\/fs\/cgroup\/unified \(it has: .*hugetlb.*\).*--cgroups off/);
    expect(existsSync(sandbox().parentDir)).toBe(false);
  });

  it('refuses every cgroup when the host has no cgroup2', async () => {
    const none = { ...detectCgroupV2(), mountpoint: null, mode: 'none' as const, controllers: [] };
    await expect(Cgroup.create('x', { host: none })).rejects.toThrow('no cgroup2 filesystem is mounted');
  });
});

describe('Cgroup.open', () => {
  it('refuses a directory that is not cgroup2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-'));
    try {
      expect(() => Cgroup.open(dir)).toThrow(KernelFeatureError);
      expect(() => Cgroup.open('/sys/fs/cgroup/pids')).toThrow('/sys/fs/cgroup/pids is not a cgroup2 directory');
      expect(() => Cgroup.open(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    } finally {
      rmdirSync(dir);
    }
  });
});
