import { CAPABILITY_NAMES, UnknownCapabilityError, capabilityName, capabilityNumber, type CapabilityName } from './names';

/** A capability given by name (any accepted spelling) or by number. */
export type Capability = string | number;

const KNOWN_MASK = (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;

function numberOf(cap: Capability): number {
  if (typeof cap === 'string') return capabilityNumber(cap);
  capabilityName(cap); // throws for a number that names no capability
  return cap;
}

function bit(cap: Capability): bigint {
  return 1n << BigInt(numberOf(cap));
}

function maskOf(caps: Iterable<Capability>): bigint {
  let mask = 0n;
  for (const cap of caps) mask |= bit(cap);
  return mask;
}

/** An immutable set of capabilities, backed by the same 64-bit mask the kernel uses. */
export class CapabilitySet {
  private constructor(readonly mask: bigint) {
    Object.freeze(this);
  }

  static empty(): CapabilitySet {
    return new CapabilitySet(0n);
  }

  /** Every capability in CAPABILITY_NAMES (not clipped to the running kernel: see lastCap()). */
  static all(): CapabilitySet {
    return new CapabilitySet(KNOWN_MASK);
  }

  static fromNames(names: Iterable<Capability>): CapabilitySet {
    return new CapabilitySet(maskOf(names));
  }

  /** A set from a kernel mask (e.g. CapEff in /proc/PID/status); a bit with no known name throws. */
  static fromMask(mask: bigint): CapabilitySet {
    if (mask < 0n) throw new RangeError(`capability mask is negative: ${mask}`);
    const unknown = mask & ~KNOWN_MASK;
    if (unknown !== 0n) throw new UnknownCapabilityError(lowestBit(unknown));
    return new CapabilitySet(mask);
  }

  add(...caps: Capability[]): CapabilitySet {
    return new CapabilitySet(this.mask | maskOf(caps));
  }

  remove(...caps: Capability[]): CapabilitySet {
    return new CapabilitySet(this.mask & ~maskOf(caps));
  }

  has(cap: Capability): boolean {
    return (this.mask & bit(cap)) !== 0n;
  }

  union(other: CapabilitySet): CapabilitySet {
    return new CapabilitySet(this.mask | other.mask);
  }

  intersection(other: CapabilitySet): CapabilitySet {
    return new CapabilitySet(this.mask & other.mask);
  }

  difference(other: CapabilitySet): CapabilitySet {
    return new CapabilitySet(this.mask & ~other.mask);
  }

  isSubsetOf(other: CapabilitySet): boolean {
    return (this.mask & ~other.mask) === 0n;
  }

  equals(other: CapabilitySet): boolean {
    return this.mask === other.mask;
  }

  get size(): number {
    return this.numbers().length;
  }

  /** Capability numbers in ascending order. */
  numbers(): number[] {
    return CAPABILITY_NAMES.map((_, n) => n).filter((n) => (this.mask & (1n << BigInt(n))) !== 0n);
  }

  /** Canonical names (CAP_...) in ascending number order. */
  names(): CapabilityName[] {
    return this.numbers().map(capabilityName);
  }

  toString(): string {
    return this.names().join(',');
  }
}

function lowestBit(mask: bigint): number {
  let n = 0;
  while (((mask >> BigInt(n)) & 1n) === 0n) n++;
  return n;
}
