import { mergeEnv } from '../src/plugins/command';
import { SETUP_ORDER } from '../src/pipeline/phases';
import { ProgramBuilder } from '../src/pipeline/program';

describe('setup order', () => {
  it('is written down once, in this order', () => {
    expect(SETUP_ORDER).toEqual([
      'fds', 'identity', 'rootfs', 'mounts', 'kernel_paths', 'pivot_root', 'hostname', 'rlimits',
      'seccomp_privileged', 'user', 'no_new_privs', 'capabilities', 'cwd', 'seccomp', 'exec',
    ]);
  });

  it('emits steps by phase whatever order they were added in', () => {
    const steps = new ProgramBuilder()
      .add('exec', { op: 'exec', file: 'x', argv: ['x'], env: [] })
      .add('seccomp', { op: 'seccomp', filter: Buffer.alloc(8) })
      .add('mounts', { op: 'mkdir', path: '/a', mode: 0o755 })
      .add('capabilities', { op: 'noNewPrivs' })
      .add('rootfs', { op: 'setRoot', path: '/r' });
    // closing the inherited fds comes first in every program, added by no plugin
    expect(steps.ordered().map((s) => s.phase)).toEqual(['fds', 'rootfs', 'mounts', 'capabilities', 'seccomp', 'exec']);
    expect(steps.ordered()[0]?.step).toEqual({ op: 'closeFds' });
  });

  it('assembles forwarded signals, joins, clone, monitor steps, release, then the container steps', () => {
    const program = new ProgramBuilder()
      .add('exec', { op: 'exec', file: 'x', argv: ['x'], env: [] })
      .joinNamespace('/proc/1/ns/net', 0x40000000)
      .createNamespaces(0x20000000)
      .intoCgroup('/sys/fs/cgroup/x')
      .monitor({ op: 'writeProc', file: 'uid_map', data: '0 1000 1\n' });
    const { steps, phases } = program.assemble({ awaitParent: true });
    expect(steps.map((s) => s.op)).toEqual(['forwardSignals', 'joinNamespace', 'clone', 'writeProc', 'awaitParent', 'release', 'closeFds', 'exec']);
    expect(phases).toEqual(['namespaces', 'namespaces', 'clone', 'attach', 'attach', 'attach', 'fds', 'exec']);
    expect(steps[2]).toEqual({ op: 'clone', flags: 0x20000000, cgroup: '/sys/fs/cgroup/x' });
    expect(() => program.intoCgroup('/other')).toThrow(/already goes into cgroup/);
    expect(() => program.add('nowhere' as 'exec')).toThrow(/unknown setup phase "nowhere"/);
  });

  it('merges environments: later keys win', () => {
    expect(mergeEnv(['PATH=/bin', 'A=1'], ['A=2'], undefined, ['B=3'])).toEqual(['PATH=/bin', 'A=2', 'B=3']);
    expect(() => mergeEnv(['nokey'])).toThrow(/KEY=VALUE/);
  });
});
