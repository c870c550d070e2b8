import { parseEnv, parseTmpfs, parseUlimit, parseVolume, specFromFlags, UsageError, type RunFlags } from '../src/cli/options';

const flags = (over: Partial<RunFlags> = {}): RunFlags => ({
  volume: [], env: [], ulimit: [], capAdd: [], capDrop: [], securityOpt: [], tmpfs: [], net: 'none', userns: 'host', cgroups: 'on', ...over,
});

describe('run flags', () => {
  it('parses volumes with options', () => {
    expect(parseVolume('/a:/b')).toEqual({ source: '/a', target: '/b' });
    expect(parseVolume('/a:/b:ro,bind,rslave')).toEqual({ source: '/a', target: '/b', readOnly: true, recursive: false, propagation: 'rslave' });
    expect(() => parseVolume('/a')).toThrow(UsageError);
    expect(() => parseVolume('/a:/b:sideways')).toThrow(/unknown option "sideways"/);
  });

  it('parses env with docker semantics', () => {
    process.env.TINCAN_TEST_VAR = 'from-host';
    expect(parseEnv('A=1')).toEqual(['A=1']);
    expect(parseEnv('TINCAN_TEST_VAR')).toEqual(['TINCAN_TEST_VAR=from-host']);
    expect(parseEnv('TINCAN_UNSET_VAR')).toEqual([]);
    expect(() => parseEnv('=x')).toThrow(/empty variable name/);
    expect(() => parseEnv('A\tB=1')).toThrow(/--env "A\\tB": a variable name cannot hold blanks or control characters/);
    expect(() => parseEnv('A B')).toThrow(/cannot hold blanks/);
  });

  it('takes `--` before the command as the end of the options', () => {
    expect(specFromFlags('/r', ['--', 'sh', '-c', 'true'], flags()).command).toEqual(['sh', '-c', 'true']);
    expect(specFromFlags('/r', ['sh', '--'], flags()).command).toEqual(['sh', '--']);
  });

  it('parses --tmpfs with docker\'s options only, and never over the root', () => {
    expect(parseTmpfs('/x:size=1m,mode=1777,exec')).toEqual({ target: '/x', size: '1m', mode: 0o1777, exec: true });
    // docker's defaults: noexec, nosuid
    expect(parseTmpfs('/x')).toEqual({ target: '/x', exec: false });
    expect(() => parseTmpfs('/x:foo=bar')).toThrow(/--tmpfs "\/x:foo=bar": tmpfs option "foo=bar" is not supported/);
    expect(() => parseTmpfs('/')).toThrow(/cannot replace the root/);
    expect(() => parseTmpfs('//')).toThrow(/cannot replace the root/);
    expect(() => parseTmpfs('x')).toThrow(/absolute/);
  });

  it('parses ulimits', () => {
    expect(parseUlimit('nofile=10:20')).toEqual({ name: 'nofile', soft: 10, hard: 20 });
    expect(parseUlimit('core=unlimited')).toEqual({ name: 'core', soft: 'unlimited', hard: 'unlimited' });
    expect(() => parseUlimit('nofile')).toThrow(/want NAME=SOFT/);
  });

  it('maps resource flags to cgroup limits', () => {
    const spec = specFromFlags('/r', ['true'], flags({ memory: '64m', cpus: '1.5', pidsLimit: '100', ioWeight: '200', cpuWeight: '50' }));
    expect(spec.resources).toEqual({
      memory: { max: 64n << 20n, swapMax: 64n << 20n },
      cpu: { max: { quota: 150000, period: 100000 }, weight: 50 },
      pids: { max: 100 },
      io: { weight: 200 },
    });
    expect(() => specFromFlags('/r', [], flags({ pidsLimit: 'x' }))).toThrow(/--pids-limit "x"/);
  });

  it('maps --userns and --security-opt', () => {
    expect(specFromFlags('/r', [], flags({ userns: '0:100000:65536' })).userns).toEqual([{ containerId: 0, hostId: 100000, size: 65536 }]);
    expect(specFromFlags('/r', [], flags({ userns: 'auto' })).userns).toBe('auto');
    expect(() => specFromFlags('/r', [], flags({ userns: 'nope' }))).toThrow(/--userns "nope"/);
    const s = specFromFlags('/r', [], flags({ securityOpt: ['seccomp=contained', 'no-new-privileges=false'] }));
    expect([s.seccomp, s.noNewPrivileges]).toEqual(['contained', false]);
    expect(() => specFromFlags('/r', [], flags({ securityOpt: ['apparmor=x'] }))).toThrow(/unknown option/);
  });
});
