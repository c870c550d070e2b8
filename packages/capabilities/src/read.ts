import { readFileSync } from 'node:fs';
import { capget } from '@tincan/libc';
import type { ProcessCapabilities } from './process';
import { CapabilitySet } from './set';

/** The sets capget(2) reports for one thread (it does not report bounding or ambient). */
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
  const file = `/proc/${pid}/status`;
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

/** The calling thread's sets, straight from the kernel through capget(2). */
export function readThreadCapabilities(): ThreadCapabilities {
  const masks = capget(0);
  return {
    effective: CapabilitySet.fromMask(masks.effective),
    permitted: CapabilitySet.fromMask(masks.permitted),
    inheritable: CapabilitySet.fromMask(masks.inheritable),
  };
}
