import { readFileSync } from 'node:fs';
import type { ProcessCapabilities } from './process';
import { CapabilitySet } from './set';

/** The sets capget(2) reports for one thread: effective, permitted, inheritable. */
export type ThreadCapabilities = Pick<ProcessCapabilities, 'effective' | 'permitted' | 'inheritable'>;

const STATUS_FIELDS = {
  inheritable: 'CapInh',
  permitted: 'CapPrm',
  effective: 'CapEff',
  bounding: 'CapBnd',
  ambient: 'CapAmb',
} as const satisfies Record<keyof ProcessCapabilities, string>;

function statusField(status: string, field: string, file: string): CapabilitySet {
  const match = new RegExp(`^${field}:\\s*([0-9a-f]{16})$`, 'm').exec(status);
  if (!match) throw new Error(`${file}: no ${field} line`);
  return CapabilitySet.fromMask(BigInt(`0x${match[1]}`));
}

/** The five sets of a process (its main thread), from /proc/PID/status. */
export function readCapabilities(pid: number | 'self'): ProcessCapabilities {
  return readStatus(`/proc/${pid}/status`);
}

/**
 * The calling thread's sets, from /proc/thread-self/status: the kernel prints there the same masks of
 * the thread's credentials that capget(2) returns, so no native binding is needed (a test compares both).
 */
export function readThreadCapabilities(): ThreadCapabilities {
  const { effective, permitted, inheritable } = readStatus('/proc/thread-self/status');
  return { effective, permitted, inheritable };
}

function readStatus(file: string): ProcessCapabilities {
  const status = readFileSync(file, 'utf8');
  const set = (key: keyof ProcessCapabilities): CapabilitySet => statusField(status, STATUS_FIELDS[key], file);
  return {
    bounding: set('bounding'),
    effective: set('effective'),
    permitted: set('permitted'),
    inheritable: set('inheritable'),
    ambient: set('ambient'),
  };
}
