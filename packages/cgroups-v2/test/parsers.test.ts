import {
  CgroupLimitError,
  cpusToMax,
  memoryFromDockerFlags,
  parseBytes,
  parseCpuWeight,
  requiredControllers,
  type CgroupLimits,
} from '../src';
import { limitWrites } from '../src/limits';

const MiB = 1024n * 1024n;

describe('parseBytes (docker sizes, binary units)', () => {
  it.each<[string, bigint]>([
    ['1024', 1024n],
    ['0', 0n],
    ['64k', 64n * 1024n],
    ['64K', 64n * 1024n],
    ['512m', 512n * MiB],
    ['512mb', 512n * MiB],
    ['1g', 1024n * MiB],
    ['1GiB', 1024n * MiB],
    ['1.5g', 1536n * MiB],
    ['2t', 2n << 40n],
    ['1p', 1n << 50n],
    ['100b', 100n],
  ])('%s → %s', (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each(['', 'm', '12x', '-1', '1.g', '1 gg', 'max'])('rejects %j naming the value and the flag', (text) => {
    expect(() => parseBytes(text, '--memory')).toThrow(CgroupLimitError);
    expect(() => parseBytes(text, '--memory')).toThrow(`invalid --memory value ${JSON.stringify(text)}`);
  });
});

describe('cpusToMax (docker --cpus)', () => {
  it.each<[number | string, number, { quota: number; period: number }]>([
    [1.5, 100_000, { quota: 150_000, period: 100_000 }],
    ['0.5', 100_000, { quota: 50_000, period: 100_000 }],
    [2, 100_000, { quota: 200_000, period: 100_000 }],
    [0.01, 100_000, { quota: 1000, period: 100_000 }],
    [1, 50_000, { quota: 50_000, period: 50_000 }],
  ])('%s CPUs, period %d', (cpus, period, max) => {
    expect(cpusToMax(cpus, period)).toEqual(max);
  });

  it.each<number | string>([0, -1, 0.001, Number.NaN, Infinity, 'two', ''])('rejects %j', (cpus) => {
    expect(() => cpusToMax(cpus)).toThrow(`invalid --cpus value ${JSON.stringify(String(cpus))}`);
  });
});

describe('parseCpuWeight', () => {
  it.each<[number | string, number]>([[1, 1], ['100', 100], [10000, 10000]])('%j → %d', (v, w) => {
    expect(parseCpuWeight(v)).toBe(w);
  });
  it.each<number | string>([0, 10001, 1.5, '-5', 'heavy'])('rejects %j', (v) => {
    expect(() => parseCpuWeight(v)).toThrow(`invalid --cpu-weight value ${JSON.stringify(String(v))}`);
  });
});

describe('memoryFromDockerFlags (--memory / --memory-swap)', () => {
  it.each<[string, { memory?: string; memorySwap?: string }, object]>([
    ['memory only: docker gives as much swap as memory', { memory: '512m' }, { max: 512n * MiB, swapMax: 512n * MiB }],
    ['swap equal to memory: no swap', { memory: '512m', memorySwap: '512m' }, { max: 512n * MiB, swapMax: 0n }],
    ['swap is the total', { memory: '512m', memorySwap: '1g' }, { max: 512n * MiB, swapMax: 512n * MiB }],
    ['-1: unlimited swap', { memory: '512m', memorySwap: '-1' }, { max: 512n * MiB, swapMax: 'max' }],
    ['0 counts as unset', { memory: '1g', memorySwap: '0' }, { max: 1024n * MiB, swapMax: 1024n * MiB }],
    ['nothing set', {}, {}],
  ])('%s', (_, flags, limits) => {
    expect(memoryFromDockerFlags(flags)).toEqual(limits);
  });

  it('refuses a total below --memory', () => {
    expect(() => memoryFromDockerFlags({ memory: '1g', memorySwap: '512m' })).toThrow('invalid --memory-swap value "512m"');
  });
  it('refuses --memory-swap without --memory', () => {
    expect(() => memoryFromDockerFlags({ memorySwap: '1g' })).toThrow('--memory to be set as well');
  });
  it('names a bad --memory-swap value', () => {
    expect(() => memoryFromDockerFlags({ memory: '1g', memorySwap: 'lots' })).toThrow('invalid --memory-swap value "lots"');
  });
});

describe('requiredControllers', () => {
  it.each<[CgroupLimits, string[]]>([
    [{}, []],
    [{ memory: {} }, []],
    [{ memory: { max: 1n } }, ['memory']],
    [{ cpu: { weight: 50 }, pids: { max: 10 } }, ['cpu', 'pids']],
    [{ io: { max: [{ major: 254, minor: 0, wbps: 1 }] }, cpuset: { cpus: '0' } }, ['cpuset', 'io']],
  ])('%j → %j', (limits, controllers) => {
    expect(requiredControllers(limits)).toEqual(controllers);
  });
});

describe('limit validation and cgroupfs values', () => {
  it('writes each limit in the kernel format', () => {
    const writes = limitWrites({
      memory: { max: 32n * MiB, high: 'max', swapMax: 0 },
      cpu: { weight: 200, max: { quota: 'max', period: 100_000 } },
      pids: { max: 'max' },
      io: { weight: 500, max: [{ major: 254, minor: 0, wbps: 1048576, riops: 'max' }] },
      cpuset: { cpus: '0-1,3', mems: '0' },
    });
    expect(writes).toEqual([
      { file: 'cpuset.cpus', value: '0-1,3' },
      { file: 'cpuset.mems', value: '0' },
      { file: 'cpu.weight', value: '200' },
      { file: 'cpu.max', value: 'max 100000' },
      { file: 'io.weight', value: 'default 500' },
      { file: 'io.max', value: '254:0 wbps=1048576 riops=max' },
      { file: 'memory.max', value: '33554432' },
      { file: 'memory.high', value: 'max' },
      { file: 'memory.swap.max', value: '0' },
      { file: 'pids.max', value: 'max' },
    ]);
  });

  it.each<[string, CgroupLimits, string]>([
    ['cpu.weight 0', { cpu: { weight: 0 } }, 'invalid cpu.weight value "0"'],
    ['cpu.weight 10001', { cpu: { weight: 10001 } }, 'invalid cpu.weight value "10001"'],
    ['a tiny quota', { cpu: { max: { quota: 10, period: 100_000 } } }, 'invalid cpu.max quota value "10"'],
    ['a 2 s period', { cpu: { max: { quota: 1000, period: 2_000_000 } } }, 'invalid cpu.max period value "2000000"'],
    ['negative memory', { memory: { max: -1 } }, 'invalid memory.max value "-1"'],
    ['fractional pids', { pids: { max: 1.5 } }, 'invalid pids.max value "1.5"'],
    ['an io.max entry with no limit', { io: { max: [{ major: 8, minor: 0 }] } }, 'invalid io.max value "8:0"'],
    ['a bad cpuset', { cpuset: { cpus: '0-' } }, 'invalid cpuset.cpus value "0-"'],
  ])('rejects %s', (_, limits, message) => {
    expect(() => limitWrites(limits)).toThrow(message);
  });
});
