import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { KernelFeatureError, umount2 } from '@tincan/libc';
import { NAMESPACE_TYPES, NamespaceSpecError, cloneFlag, planNamespaces, procName, type NamespaceSpec, type NamespaceType } from '../src';
import { assertKernelSupports } from '../src/ns-file';
import { startReady, type ReadyProcess } from '@tincan/testkit';

const self = (type: NamespaceType): string => `/proc/self/ns/${procName(type)}`;

describe('planNamespaces: new namespaces', () => {
  it('ORs the clone flags of the new ones', () => {
    const plan = planNamespaces([{ type: 'user' }, { type: 'mount' }, { type: 'pid' }]);
    expect(plan.cloneFlags).toBe(0x10000000 | 0x00020000 | 0x20000000);
    expect(plan.joins).toEqual([]);
    expect([...plan.types].sort()).toEqual(['mount', 'pid', 'user']);
  });

  it('all eight (this kernel has time namespaces)', () => {
    const plan = planNamespaces(NAMESPACE_TYPES.map((type) => ({ type })));
    expect(plan.cloneFlags).toBe(0x7e020080);
    expect(plan.types.size).toBe(8);
  });

  it('an empty spec list shares everything', () => {
    expect(planNamespaces([])).toEqual({ cloneFlags: 0, joins: [], types: new Set() });
  });
});

describe('planNamespaces: joins', () => {
  it('puts user first, mount after the others, whatever the spec order', () => {
    const plan = planNamespaces([
      { type: 'mount', path: self('mount') },
      { type: 'uts' },
      { type: 'net', path: self('net') },
      { type: 'user', path: self('user') },
      { type: 'cgroup', path: self('cgroup') },
    ]);
    expect(plan.joins).toEqual([
      { type: 'user', path: '/proc/self/ns/user', flag: 0x10000000 },
      { type: 'net', path: '/proc/self/ns/net', flag: 0x40000000 },
      { type: 'mount', path: '/proc/self/ns/mnt', flag: 0x00020000 },
      { type: 'cgroup', path: '/proc/self/ns/cgroup', flag: 0x02000000 },
    ]);
    expect(plan.cloneFlags).toBe(cloneFlag('uts'));
    expect(plan.types.size).toBe(5);
  });

  it.each(NAMESPACE_TYPES.map((t) => [t]))('accepts /proc/self/ns/* as %s', (type) => {
    expect(planNamespaces([{ type, path: self(type) }]).joins).toHaveLength(1);
  });

  it('accepts pid_for_children and time_for_children', () => {
    const plan = planNamespaces([
      { type: 'pid', path: '/proc/self/ns/pid_for_children' },
      { type: 'time', path: '/proc/self/ns/time_for_children' },
    ]);
    expect(plan.joins.map((j) => j.type)).toEqual(['pid', 'time']);
  });

  it('rejects a namespace file of another type, naming both', () => {
    expect(() => planNamespaces([{ type: 'uts', path: '/proc/self/ns/net' }])).toThrow(
      new NamespaceSpecError('/proc/self/ns/net is a net namespace, not uts'),
    );
  });

  it('rejects paths that are missing, relative, or not namespace files', () => {
    expect(() => planNamespaces([{ type: 'net', path: '/proc/self/ns/nope' }])).toThrow('namespace file does not exist: /proc/self/ns/nope');
    expect(() => planNamespaces([{ type: 'net', path: 'proc/self/ns/net' }])).toThrow('net namespace path must be absolute: "proc/self/ns/net"');
    expect(() => planNamespaces([{ type: 'net', path: '/etc/passwd' }])).toThrow('not a namespace file: /etc/passwd (ENOTTY)');
    expect(() => planNamespaces([{ type: 'net', path: '/proc/self/ns' }])).toThrow(NamespaceSpecError);
  });
});

describe('planNamespaces: validation', () => {
  it('rejects a type given twice, even once new and once joined', () => {
    expect(() => planNamespaces([{ type: 'net' }, { type: 'net', path: self('net') }])).toThrow(
      new NamespaceSpecError('namespace type "net" given twice'),
    );
  });

  it('rejects an unknown type (e.g. from JSON)', () => {
    const specs = JSON.parse('[{"type":"network"}]') as NamespaceSpec[];
    expect(() => planNamespaces(specs)).toThrow(new NamespaceSpecError('unknown namespace type: "network"'));
  });

  it('refuses a type the kernel lacks with KernelFeatureError (a /proc/self/ns copy without time)', () => {
    // This kernel has time namespaces, so the check runs against a directory that lacks the entry.
    const dir = mkdtempSync(join(tmpdir(), 'ns-'));
    try {
      writeFileSync(join(dir, 'net'), '');
      expect(() => assertKernelSupports('net', dir)).not.toThrow();
      expect(() => assertKernelSupports('time', dir)).toThrow(KernelFeatureError);
      expect(() => assertKernelSupports('time', dir)).toThrow(`this kernel has no time namespaces (${dir}/time is missing)`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('planNamespaces against a process in new net and uts namespaces', () => {
  let child: ReadyProcess;
  beforeAll(async () => {
    child = await startReady(['unshare', '--net', '--uts', '--fork', '--kill-child']);
  });
  afterAll(() => child.stop());

  it('its net namespace validates as net and is rejected as uts', () => {
    const path = `/proc/${child.pid}/ns/net`;
    expect(planNamespaces([{ type: 'net', path }]).joins).toEqual([{ type: 'net', path, flag: 0x40000000 }]);
    expect(() => planNamespaces([{ type: 'uts', path }])).toThrow(`${path} is a net namespace, not uts`);
  });

  it('its uts namespace validates as uts', () => {
    expect(planNamespaces([{ type: 'uts', path: `/proc/${child.pid}/ns/uts` }]).joins[0]?.type).toBe('uts');
  });
});

describe('planNamespaces with a bind-mounted namespace file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-'));
  const file = join(dir, 'netns');
  beforeAll(() => {
    writeFileSync(file, '');
    // unshare --net=FILE bind-mounts the new net namespace onto FILE (in our mount namespace).
    execFileSync('unshare', [`--net=${file}`, 'true']);
  });
  afterAll(() => {
    umount2(file);
    rmSync(dir, { recursive: true });
  });

  it('validates as net and not as ipc', () => {
    expect(planNamespaces([{ type: 'net', path: file }]).joins[0]?.path).toBe(file);
    expect(() => planNamespaces([{ type: 'ipc', path: file }])).toThrow(`${file} is a net namespace, not ipc`);
  });
});
