import { readFileSync } from 'node:fs';

/** Every capability Linux 6.x knows, indexed by its number (include/uapi/linux/capability.h). */
export const CAPABILITY_NAMES = [
  'CAP_CHOWN', // 0
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL', // 5
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE', // 10
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', // 15
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', // 20
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', // 25
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL', // 30
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM', // 35
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE', // 40
] as const;

export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

/** A capability name or number that is not in CAPABILITY_NAMES. */
export class UnknownCapabilityError extends Error {
  override readonly name = 'UnknownCapabilityError';
  constructor(readonly capability: string | number) {
    super(`unknown capability: ${JSON.stringify(capability)}`);
  }
}

const NUMBER_OF: ReadonlyMap<string, number> = new Map(CAPABILITY_NAMES.map((name, n) => [name, n]));

/** 'net_admin', 'NET_ADMIN' and 'CAP_NET_ADMIN' all mean CAP_NET_ADMIN (docker and OCI accept all three). */
function canonical(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** The number of a capability given by name, in any of the accepted spellings. */
export function capabilityNumber(name: string): number {
  const n = NUMBER_OF.get(canonical(name));
  if (n === undefined) throw new UnknownCapabilityError(name);
  return n;
}

/** The canonical name (CAP_...) of a capability number. */
export function capabilityName(n: number): CapabilityName {
  const name = Number.isInteger(n) ? CAPABILITY_NAMES[n] : undefined;
  if (name === undefined) throw new UnknownCapabilityError(n);
  return name;
}

let cachedLastCap: number | undefined;
/** The highest capability number the running kernel supports (it never changes while the host is up). */
export function lastCap(): number {
  cachedLastCap ??= Number.parseInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'), 10);
  return cachedLastCap;
}
