import { mergeEnv } from '../src/plugins/command';
import { SETUP_ORDER } from '../src/pipeline/phases';
import { PhasedSteps, assembleProgram } from '../src/pipeline/program';

describe('setup order', () => {
  it('is written down once, in this order', () => {
    expect(SETUP_ORDER).toEqual([
      'fds', 'identity', 'rootfs', 'mounts', 'kernel_paths', 'pivot_root', 'hostname', 'rlimits',
      'seccomp_privileged', 'user', 'no_new_privs', 'capabilities', 'cwd', 'seccomp', 'exec',
    ]);
  });

  it('emits steps by phase whatever order they were added in', () => {
    const steps = new PhasedSteps();
    steps.add('exec', [{ op: 'exec', file: 'x', argv: ['x'], env: [] }]);
    steps.add('seccomp', [{ op: 'seccomp', filter: Buffer.alloc(8) }]);
    steps.add('mounts', [{ op: 'mkdir', path: '/a', mode: 0o755 }]);
    steps.add('capabilities', [{ op: 'noNewPrivs' }]);
    steps.add('rootfs', [{ op: 'setRoot', path: '/r' }]);
    // closing the inherited fds comes first in every program, added by no plugin
    expect(steps.ordered().map((s) => s.phase)).toEqual(['fds', 'rootfs', 'mounts', 'capabilities', 'seccomp', 'exec']);
    expect(steps.ordered()[0]?.step).toEqual({ op: 'closeFds' });
  });

  it('assembles joins, clone, parent steps, release, then the container steps', () => {
    const container = new PhasedSteps();
    container.add('exec', [{ op: 'exec', file: 'x', argv: ['x'], env: [] }]);
    const { steps, phases } = assembleProgram({
      joins: [{ op: 'joinNamespace', path: '/proc/1/ns/net', nstype: 0x40000000 }],
      cloneFlags: 0x20000000,
      cgroupPath: '/sys/fs/cgroup/x',
      attachSteps: [{ op: 'writeProc', file: 'uid_map', data: '0 1000 1\n' }],
      awaitParent: true,
      container,
    });
    expect(steps.map((s) => s.op)).toEqual(['joinNamespace', 'clone', 'writeProc', 'awaitParent', 'release', 'closeFds', 'exec']);
    expect(phases).toEqual(['namespaces', 'clone', 'attach', 'attach', 'attach', 'fds', 'exec']);
  });

  it('merges environments: later keys win', () => {
    expect(mergeEnv(['PATH=/bin', 'A=1'], ['A=2'], undefined, ['B=3'])).toEqual(['PATH=/bin', 'A=2', 'B=3']);
    expect(() => mergeEnv(['nokey'])).toThrow(/KEY=VALUE/);
  });
});
