import { CgroupLimitError } from './errors';
import type { CpuMax, MemoryLimits } from './limits';

const UNIT_SHIFT: Record<string, bigint> = { '': 0n, b: 0n, k: 10n, m: 20n, g: 30n, t: 40n, p: 50n };

/**
 * A docker-style size ('1024', '64k', '512m', '1g', '1.5g', '2GiB'; binary units, case-insensitive)
 * in bytes. `flag` names the option in the error.
 */
export function parseBytes(value: string, flag = 'size'): bigint {
  const m = /^(\d+)(?:\.(\d+))? ?([kmgtp]?)(?:i?b)?$/i.exec(value.trim());
  if (m === null || m[1] === undefined) {
    throw new CgroupLimitError(flag, value, 'a size like 1024, 64k, 512m or 1g');
  }
  const shift = UNIT_SHIFT[(m[3] ?? '').toLowerCase()] ?? 0n;
  const fraction = m[2] ?? '';
  // exact decimal arithmetic: whole part plus the truncated fractional share of the unit
  const whole = BigInt(m[1]) << shift;
  const part = fraction === '' ? 0n : (BigInt(fraction) << shift) / 10n ** BigInt(fraction.length);
  return whole + part;
}

function parseNumber(value: number | string, flag: string, expected: string): number {
  const n = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new CgroupLimitError(flag, String(value), expected);
  return n;
}

/** docker's --cpus: 1.5 → { quota: 150000, period: 100000 } (quota = cpus × period). */
export function cpusToMax(cpus: number | string, period = 100_000): CpuMax {
  const n = parseNumber(cpus, '--cpus', 'a positive number of CPUs like 0.5 or 2');
  const quota = Math.round(n * period);
  // the kernel's smallest quota is 1 ms
  if (n <= 0 || quota < 1000) {
    throw new CgroupLimitError('--cpus', String(cpus), `at least ${1000 / period} CPUs with a ${period} us period`);
  }
  return { quota, period };
}

/** cpu.weight from a CLI value: an integer 1..10000. */
export function parseCpuWeight(value: number | string): number {
  const n = parseNumber(value, '--cpu-weight', 'an integer from 1 to 10000');
  if (!Number.isInteger(n) || n < 1 || n > 10000) {
    throw new CgroupLimitError('--cpu-weight', String(value), 'an integer from 1 to 10000');
  }
  return n;
}

export interface DockerMemoryFlags {
  /** --memory: hard limit. */
  memory?: string;
  /** --memory-swap: memory plus swap in total; '-1' is unlimited swap; '0' or unset is twice --memory. */
  memorySwap?: string;
}

/**
 * docker's --memory/--memory-swap as cgroup v2 limits: swap.max = total - memory
 * (equal values → no swap; -1 → unlimited; unset → as much swap as memory, docker's default).
 */
export function memoryFromDockerFlags(flags: DockerMemoryFlags): MemoryLimits {
  const memory = flags.memory === undefined ? undefined : parseBytes(flags.memory, '--memory');
  const swap = flags.memorySwap?.trim();
  if (swap === '-1') return memory === undefined ? { swapMax: 'max' } : { max: memory, swapMax: 'max' };
  const total = swap === undefined || swap === '0' ? undefined : parseBytes(swap, '--memory-swap');
  if (memory === undefined) {
    if (total !== undefined) throw new CgroupLimitError('--memory-swap', swap ?? '', '--memory to be set as well');
    return {};
  }
  if (total === undefined) return { max: memory, swapMax: memory };
  if (total < memory) throw new CgroupLimitError('--memory-swap', swap ?? '', `at least --memory (${flags.memory})`);
  return { max: memory, swapMax: total - memory };
}
