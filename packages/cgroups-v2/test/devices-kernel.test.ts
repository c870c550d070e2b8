import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BPF_INSN_SIZE } from '@tincan/libc-core';
import { Cgroup, CgroupDeviceFilterError, CgroupLimitError, DEFAULT_DEVICE_RULES, compileDeviceFilter, type DeviceRule } from '../src';
import { attachDeviceFilter } from '../src/device-filter';
import { sandboxPerTest, type DeviceOp } from './helpers';

// The real kernel: BPF_CGROUP_DEVICE programs attached to cgroups under /sys/fs/cgroup/unified
// (this hybrid host's cgroup2 has only hugetlb, but device programs are a cgroup2 core feature).
// Device nodes are made in a tmp dir by the test process, outside any filter.
const NODES = {
  null: ['c', 1, 3],
  zero: ['c', 1, 5],
  mem: ['c', 1, 1],
  kmsg: ['c', 1, 11],
  loopControl: ['c', 10, 237],
  loop0: ['b', 7, 0],
} as const;
type Node = keyof typeof NODES;

let dir: string;
let made = 0;
const path = (node: Node): string => join(dir, node);
const open = (node: Node, flags: 'r' | 'w' | 'rw' = 'r'): DeviceOp => ({ open: path(node), flags });
/** mknod of a fresh path (an existing one would fail with EEXIST before the device check). */
const mknod = (type: 'b' | 'c', major: number, minor: number): Extract<DeviceOp, { mknod: string }> => ({ mknod: join(dir, `made-${++made}`), type, major, minor });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tincan-devices-'));
  for (const [name, [type, major, minor]] of Object.entries(NODES)) execFileSync('mknod', [join(dir, name), type, String(major), String(minor)]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('device filter on the real kernel', () => {
  const sandbox = sandboxPerTest();

  let cgroups = 0;
  /** Results inside a new cgroup with `devices`, next to the same operations from outside it. */
  async function probe(devices: readonly DeviceRule[], ops: DeviceOp[]): Promise<{ inside: string[]; outside: string[] }> {
    const cg = await Cgroup.create(`dev-${++cgroups}`, { parent: sandbox().parent, devices });
    const inside = await sandbox().probeDevices(cg, ops);
    // the same opens from outside the cgroup (mknod paths renewed, the first run made them)
    const again = ops.map((op) => ('mknod' in op ? mknod(op.type, op.major, op.minor) : op));
    return { inside, outside: await sandbox().probeDevices(null, again) };
  }

  it('the default allowlist: /dev/null and /dev/zero open, other devices are EPERM, mknod is allowed but the new node is not', async () => {
    const memNode = mknod('c', 1, 1);
    const loopNode = mknod('b', 7, 0);
    const ops = [
      open('null', 'rw'),
      open('zero'),
      open('zero', 'w'),
      open('mem'),
      open('kmsg'),
      open('loopControl', 'rw'),
      open('loop0'),
      memNode,
      loopNode,
      { open: memNode.mknod, flags: 'r' as const },
      { open: loopNode.mknod, flags: 'r' as const },
    ];
    const { inside, outside } = await probe(DEFAULT_DEVICE_RULES, ops);
    expect(inside).toEqual(['ok', 'ok', 'ok', 'EPERM', 'EPERM', 'EPERM', 'EPERM', 'ok', 'ok', 'EPERM', 'EPERM']);
    // outside, the kernel gets as far as the driver (a kernel without /dev/mem says ENXIO)
    expect(outside).not.toContain('EPERM');
  });

  it('a custom allowlist: c 1:11 r only', async () => {
    const { inside, outside } = await probe(
      [{ allow: true, type: 'c', major: 1, minor: 11, access: 'r' }],
      [open('kmsg', 'r'), open('kmsg', 'w'), open('kmsg', 'rw'), open('null'), mknod('c', 1, 11)],
    );
    expect(inside).toEqual(['ok', 'EPERM', 'EPERM', 'EPERM', 'EPERM']);
    expect(outside).not.toContain('EPERM');
  });

  it('denies everything with an empty list, mknod included', async () => {
    const { inside } = await probe([], [open('null'), open('zero', 'w'), mknod('c', 1, 3)]);
    expect(inside).toEqual(['EPERM', 'EPERM', 'EPERM']);
  });

  it('the last matching rule wins', async () => {
    const allowAll: DeviceRule = { allow: true, type: 'a', access: 'rwm' };
    const denyZero: DeviceRule = { allow: false, type: 'c', major: 1, minor: 5, access: 'rwm' };
    const ops = [open('zero'), open('null'), open('loop0')];
    expect((await probe([allowAll, denyZero], ops)).inside).toEqual(['EPERM', 'ok', 'ok']);
    expect((await probe([denyZero, allowAll], ops)).inside).toEqual(['ok', 'ok', 'ok']);
  });

  it('wildcards: a missing minor or major matches any, both missing any device of the type', async () => {
    const charMajor1: DeviceRule = { allow: true, type: 'c', major: 1, access: 'rw' };
    expect((await probe([charMajor1], [open('null'), open('zero', 'rw'), open('kmsg'), open('loopControl'), open('loop0')])).inside).toEqual([
      'ok',
      'ok',
      'ok',
      'EPERM',
      'EPERM',
    ]);
    const anyMajorMinor3: DeviceRule = { allow: true, type: 'c', minor: 3, access: 'r' };
    expect((await probe([anyMajorMinor3], [open('null'), open('zero')])).inside).toEqual(['ok', 'EPERM']);
    const anyBlock: DeviceRule = { allow: true, type: 'b', access: 'r' };
    expect((await probe([anyBlock], [open('loop0'), open('loop0', 'w'), open('null')])).inside).toEqual(['ok', 'EPERM', 'EPERM']);
  });

  it("type 'a' (and a missing type) matches char and block devices", async () => {
    const ops = [open('null', 'rw'), open('kmsg'), open('loopControl'), open('loop0', 'rw'), mknod('b', 7, 0)];
    expect((await probe([{ allow: true, type: 'a', access: 'rwm' }], ops)).inside).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const ops2 = [open('null'), open('loop0'), open('kmsg', 'w')];
    expect((await probe([{ allow: true, access: 'r' }], ops2)).inside).toEqual(['ok', 'ok', 'EPERM']);
  });

  it('deny rules take away only the access they name, per access: a deny of w refuses O_RDWR but not O_RDONLY', async () => {
    const rules: DeviceRule[] = [
      { allow: true, type: 'a', access: 'rwm' },
      { allow: false, type: 'c', major: 1, minor: 3, access: 'w' },
    ];
    const { inside } = await probe(rules, [open('null', 'r'), open('null', 'w'), open('null', 'rw'), open('zero', 'rw')]);
    expect(inside).toEqual(['ok', 'EPERM', 'EPERM', 'ok']);
  });

  it('accesses granted by different rules combine: c 1:* r plus c 1:3 w opens /dev/null O_RDWR', async () => {
    const rules: DeviceRule[] = [
      { allow: true, type: 'c', major: 1, access: 'r' },
      { allow: true, type: 'c', major: 1, minor: 3, access: 'w' },
    ];
    const { inside } = await probe(rules, [open('null', 'rw'), open('zero', 'rw'), open('zero', 'r')]);
    expect(inside).toEqual(['ok', 'EPERM', 'ok']);
  });

  it('holds in child cgroups too (a container cannot escape it by making one)', async () => {
    const cg = await Cgroup.create('dev', { parent: sandbox().parent, devices: DEFAULT_DEVICE_RULES });
    mkdirSync(join(cg.path, 'inner'));
    expect(await sandbox().probeDevices(Cgroup.open(join(cg.path, 'inner')), [open('null'), open('kmsg')])).toEqual(['ok', 'EPERM']);
  });

  it('leaves no file descriptor open: the attachment keeps the program', async () => {
    const before = readdirSync('/proc/self/fd').length;
    const cg = await Cgroup.create('dev', { parent: sandbox().parent, devices: DEFAULT_DEVICE_RULES });
    expect(readdirSync('/proc/self/fd').length).toBe(before);
    expect(await sandbox().probeDevices(cg, [open('kmsg')])).toEqual(['EPERM']);
  });
});

describe('device filter errors', () => {
  const sandbox = sandboxPerTest();

  it('refuses a malformed rule with CgroupLimitError before creating anything', async () => {
    const attempt = Cgroup.create('dev', { parent: sandbox().parent, devices: [{ allow: true, type: 'c', major: 1 }] });
    await expect(attempt).rejects.toBeInstanceOf(CgroupLimitError);
    await expect(attempt).rejects.toThrow('invalid devices[0].access value ""');
    expect(existsSync(sandbox().parentDir)).toBe(false);
  });

  it('a directory that is not a cgroup2: EBADF from BPF_PROG_ATTACH, with the path', () => {
    const notCgroup = mkdtempSync(join(tmpdir(), 'not-cgroup-'));
    try {
      let err: unknown;
      try {
        attachDeviceFilter(notCgroup, compileDeviceFilter(DEFAULT_DEVICE_RULES));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CgroupDeviceFilterError);
      expect(err).toMatchObject({ path: notCgroup, syscall: 'bpf(BPF_PROG_ATTACH)', code: 'EBADF', errno: 9, verifierLog: '' });
      expect(String(err)).toContain(`cannot install the device filter on ${notCgroup}: bpf(BPF_PROG_ATTACH): EBADF (not a cgroup2 directory)`);
    } finally {
      rmSync(notCgroup, { recursive: true });
    }
  });

  it('a missing directory: ENOENT from open', () => {
    expect(() => attachDeviceFilter(join(sandbox().parentDir, 'missing'), compileDeviceFilter([]))).toThrow(
      expect.objectContaining({ name: 'CgroupDeviceFilterError', syscall: 'open', code: 'ENOENT' }),
    );
  });

  it("a program the verifier refuses: its errno and the verifier's log", async () => {
    const cg = await Cgroup.create('dev', { parent: sandbox().parent });
    const exitWithoutR0 = Buffer.alloc(BPF_INSN_SIZE);
    exitWithoutR0.writeUInt8(0x95, 0);
    let err: unknown;
    try {
      attachDeviceFilter(cg.path, exitWithoutR0);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CgroupDeviceFilterError);
    expect(err).toMatchObject({ path: cg.path, syscall: 'bpf(BPF_PROG_LOAD)', code: 'EACCES', verifierLog: expect.stringContaining('R0 !read_ok') });
    expect(String(err)).toContain('(the verifier refused the program: R0 !read_ok)');
  });

  it('removes the new cgroup when the filter cannot be attached', async () => {
    const failure = new CgroupDeviceFilterError(join(sandbox().parentDir, 'dev'), 'bpf(BPF_PROG_LOAD)', 22);
    let created: Promise<Cgroup> | undefined;
    jest.isolateModules(() => {
      jest.doMock('../src/device-filter', () => ({
        attachDeviceFilter: () => {
          throw failure;
        },
      }));
      const { Cgroup: IsolatedCgroup } = jest.requireActual<typeof import('../src/cgroup')>('../src/cgroup');
      created = IsolatedCgroup.create('dev', { parent: sandbox().parent, devices: DEFAULT_DEVICE_RULES });
    });
    await expect(created).rejects.toBe(failure);
    expect(String(failure)).toContain('bpf(BPF_PROG_LOAD): EINVAL (the kernel lacks BPF_PROG_TYPE_CGROUP_DEVICE: CONFIG_CGROUP_BPF is off)');
    expect(existsSync(join(sandbox().parentDir, 'dev'))).toBe(false);
    expect(existsSync(sandbox().parentDir)).toBe(true);
  });
});
