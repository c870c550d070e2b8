import { KernelFeatureError } from '@tincan/libc-core';
import { capabilityName, capabilityNumber, lastCap } from './names';
import { CapabilitySet } from './set';

/** Docker's default set for a non-privileged container (moby oci/caps/defaults.go), 14 capabilities. */
export const DEFAULT_CAPABILITIES: CapabilitySet = CapabilitySet.fromNames([
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
]);

export interface ResolveCapabilitiesOptions {
  /** The starting set (default: DEFAULT_CAPABILITIES). */
  base?: CapabilitySet;
  /** Names to add, in any spelling; 'ALL' means every capability this kernel supports. */
  add?: readonly string[];
  /** Names to drop, in any spelling; 'ALL' means start from `add` alone. */
  drop?: readonly string[];
  /** Highest capability number to accept (default: lastCap() of the running kernel). */
  lastCap?: number;
  /**
   * What 'ALL' grants (default: every capability the kernel supports). A runtime passes its own bounding
   * set, as podman does: it cannot give what it does not hold.
   */
  available?: CapabilitySet;
}

interface ParsedList {
  all: boolean;
  caps: number[];
}

function isAll(name: string): boolean {
  return name.toUpperCase() === 'ALL';
}

function parseList(names: readonly string[]): ParsedList {
  return { all: names.some(isAll), caps: names.filter((n) => !isAll(n)).map(capabilityNumber) };
}

function supportedUpTo(last: number): CapabilitySet {
  return CapabilitySet.fromNames(CapabilitySet.all().numbers().filter((n) => n <= last));
}

/** Refuse to grant a capability the kernel does not have: the container would silently lack it. */
function refuseUnsupported(set: CapabilitySet, last: number): void {
  const unsupported = set.numbers().filter((n) => n > last);
  if (unsupported.length === 0) return;
  const names = unsupported.map(capabilityName).join(', ');
  throw new KernelFeatureError(names, `${names} not supported by this kernel (cap_last_cap is ${last})`);
}

/**
 * Docker's --cap-add/--cap-drop semantics (moby TweakCapabilities):
 * add 'ALL' → every supported capability except those dropped; else drop 'ALL' → exactly `add`;
 * else (base − drop) ∪ add, so a name in both add and drop is kept.
 * Dropping a capability the kernel lacks is a no-op; adding one throws KernelFeatureError.
 */
export function resolveCapabilities(options: ResolveCapabilitiesOptions = {}): CapabilitySet {
  const last = options.lastCap ?? lastCap();
  const base = options.base ?? DEFAULT_CAPABILITIES;
  const add = parseList(options.add ?? []);
  const drop = parseList(options.drop ?? []);
  const addSet = CapabilitySet.fromNames(add.caps);
  const dropSet = CapabilitySet.fromNames(drop.caps);
  refuseUnsupported(base.union(addSet), last);
  if (add.all) return (options.available ?? supportedUpTo(last)).intersection(supportedUpTo(last)).difference(dropSet);
  if (drop.all) return addSet;
  return base.difference(dropSet).union(addSet);
}
