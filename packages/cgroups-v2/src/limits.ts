import { CgroupLimitError } from './errors';

/** A byte count, or 'max' for no limit. */
export type ByteLimit = bigint | number | 'max';

export interface MemoryLimits {
  /** memory.max: hard limit; the OOM killer runs inside the cgroup above it. */
  max?: ByteLimit;
  /** memory.high: throttle and reclaim above it. */
  high?: ByteLimit;
  /** memory.swap.max: swap on top of memory.max (docker's --memory-swap minus --memory). */
  swapMax?: ByteLimit;
}

export interface CpuMax {
  /** Microseconds of CPU per period, or 'max'. */
  quota: number | 'max';
  /** Period in microseconds (1000..1000000). */
  period: number;
}

export interface CpuLimits {
  /** cpu.weight, 1..10000 (100 is the default share). */
  weight?: number;
  /** cpu.max. */
  max?: CpuMax;
}

export interface IoDeviceMax {
  major: number;
  minor: number;
  rbps?: number | 'max';
  wbps?: number | 'max';
  riops?: number | 'max';
  wiops?: number | 'max';
}

export interface CgroupLimits {
  memory?: MemoryLimits;
  cpu?: CpuLimits;
  pids?: { max: number | 'max' };
  io?: { weight?: number; max?: IoDeviceMax[] };
  cpuset?: { cpus?: string; mems?: string };
}

export type Controller = 'memory' | 'cpu' | 'pids' | 'io' | 'cpuset';

/** One cgroupfs write: file name and the exact text to write. */
export interface LimitWrite {
  file: string;
  value: string;
}

function hasAny(section: object | undefined): boolean {
  return section !== undefined && Object.values(section).some((v) => v !== undefined);
}

/** The controllers `limits` needs enabled (only those with at least one value set). */
export function requiredControllers(limits: CgroupLimits): Controller[] {
  const order: Controller[] = ['cpuset', 'cpu', 'io', 'memory', 'pids'];
  return order.filter((c) => hasAny(limits[c]));
}

function integerIn(setting: string, value: number, min: number, max: number): string {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CgroupLimitError(setting, String(value), `an integer from ${min} to ${max}`);
  }
  return String(value);
}

function bytes(setting: string, value: ByteLimit): string {
  if (value === 'max') return 'max';
  const ok = typeof value === 'bigint' ? value >= 0n : Number.isSafeInteger(value) && value >= 0;
  if (!ok) throw new CgroupLimitError(setting, String(value), "a non-negative whole number of bytes or 'max'");
  return String(value);
}

function countOrMax(setting: string, value: number | 'max'): string {
  return value === 'max' ? 'max' : integerIn(setting, value, 0, Number.MAX_SAFE_INTEGER);
}

function cpuMaxValue(max: CpuMax): string {
  // the kernel refuses quotas and periods under 1 ms (and periods over 1 s)
  const quota = max.quota === 'max' ? 'max' : integerIn('cpu.max quota', max.quota, 1000, Number.MAX_SAFE_INTEGER);
  return `${quota} ${integerIn('cpu.max period', max.period, 1000, 1_000_000)}`;
}

function ioMaxLine(dev: IoDeviceMax): string {
  const device = `${integerIn('io.max major', dev.major, 0, 0xfff)}:${integerIn('io.max minor', dev.minor, 0, 0xfffff)}`;
  const keys = (['rbps', 'wbps', 'riops', 'wiops'] as const).filter((k) => dev[k] !== undefined);
  if (keys.length === 0) throw new CgroupLimitError('io.max', device, 'at least one of rbps, wbps, riops, wiops');
  return [device, ...keys.map((k) => `${k}=${countOrMax(`io.max ${k}`, dev[k] ?? 'max')}`)].join(' ');
}

function cpusetList(setting: string, list: string): string {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) throw new CgroupLimitError(setting, list, 'a list like 0-3,6');
  return list;
}

function memoryWrites(m: MemoryLimits): LimitWrite[] {
  const out: LimitWrite[] = [];
  if (m.max !== undefined) out.push({ file: 'memory.max', value: bytes('memory.max', m.max) });
  if (m.high !== undefined) out.push({ file: 'memory.high', value: bytes('memory.high', m.high) });
  if (m.swapMax !== undefined) out.push({ file: 'memory.swap.max', value: bytes('memory.swap.max', m.swapMax) });
  return out;
}

function cpuWrites(c: CpuLimits): LimitWrite[] {
  const out: LimitWrite[] = [];
  if (c.weight !== undefined) out.push({ file: 'cpu.weight', value: integerIn('cpu.weight', c.weight, 1, 10000) });
  if (c.max !== undefined) out.push({ file: 'cpu.max', value: cpuMaxValue(c.max) });
  return out;
}

function ioWrites(io: NonNullable<CgroupLimits['io']>): LimitWrite[] {
  const out: LimitWrite[] = [];
  if (io.weight !== undefined) out.push({ file: 'io.weight', value: `default ${integerIn('io.weight', io.weight, 1, 10000)}` });
  // io.max takes one device per write
  for (const dev of io.max ?? []) out.push({ file: 'io.max', value: ioMaxLine(dev) });
  return out;
}

function cpusetWrites(cs: NonNullable<CgroupLimits['cpuset']>): LimitWrite[] {
  const out: LimitWrite[] = [];
  if (cs.cpus !== undefined) out.push({ file: 'cpuset.cpus', value: cpusetList('cpuset.cpus', cs.cpus) });
  if (cs.mems !== undefined) out.push({ file: 'cpuset.mems', value: cpusetList('cpuset.mems', cs.mems) });
  return out;
}

/** Validate `limits` and turn them into the cgroupfs writes that apply them (throws CgroupLimitError). */
export function limitWrites(limits: CgroupLimits): LimitWrite[] {
  return [
    ...cpusetWrites(limits.cpuset ?? {}),
    ...cpuWrites(limits.cpu ?? {}),
    ...ioWrites(limits.io ?? {}),
    ...memoryWrites(limits.memory ?? {}),
    ...(limits.pids === undefined ? [] : [{ file: 'pids.max', value: countOrMax('pids.max', limits.pids.max) }]),
  ];
}
