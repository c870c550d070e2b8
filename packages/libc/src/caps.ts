import { LINUX_CAPABILITY_VERSION_3 } from '@tincan/libc-core';
import { check, fn, koffi, struct } from './lib';

/** The effective, permitted and inheritable sets of one thread, as 64-bit masks. */
export interface CapabilityMasks {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}

interface CapData {
  effective: number;
  permitted: number;
  inheritable: number;
}
interface CapDataV3 {
  data: [CapData, CapData];
}
interface CapHeader {
  version: number;
  pid: number;
}

// The uapi structs: one header, then data[0] for bits 0-31 and data[1] for bits 32-63.
let declared = false;
function declareTypes(): void {
  if (declared) return;
  struct('__user_cap_header_struct', { version: 'uint32', pid: 'int' });
  const data = struct('__user_cap_data_struct', { effective: 'uint32', permitted: 'uint32', inheritable: 'uint32' });
  struct('cap_data_v3', { data: koffi().array(data, 2) });
  declared = true;
}

const capgetC = fn<(hdr: CapHeader, data: Partial<CapDataV3>) => number>(
  'int capget(__user_cap_header_struct *hdr, _Out_ cap_data_v3 *data)',
);
const capsetC = fn<(hdr: CapHeader, data: CapDataV3) => number>(
  'int capset(__user_cap_header_struct *hdr, const cap_data_v3 *data)',
);

function join(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}
function split(mask: bigint): [number, number] {
  return [Number(mask & 0xffffffffn), Number((mask >> 32n) & 0xffffffffn)];
}

/** capget(2): read a thread's effective/permitted/inheritable sets (pid 0 = the calling thread). */
export function capget(pid = 0): CapabilityMasks {
  declareTypes();
  const out: Partial<CapDataV3> = {};
  // capget: read the capability sets of `pid` (0: this thread) in the V3 (64-bit) layout.
  check(capgetC({ version: LINUX_CAPABILITY_VERSION_3, pid }, out), 'capget');
  const [lo, hi] = out.data as [CapData, CapData];
  return {
    effective: join(lo.effective, hi.effective),
    permitted: join(lo.permitted, hi.permitted),
    inheritable: join(lo.inheritable, hi.inheritable),
  };
}

/** capset(2): set the calling thread's sets (per-thread: other threads of Node keep theirs). */
export function capset(masks: CapabilityMasks): void {
  declareTypes();
  const [effLo, effHi] = split(masks.effective);
  const [prmLo, prmHi] = split(masks.permitted);
  const [inhLo, inhHi] = split(masks.inheritable);
  const data: CapDataV3 = {
    data: [
      { effective: effLo, permitted: prmLo, inheritable: inhLo },
      { effective: effHi, permitted: prmHi, inheritable: inhHi },
    ],
  };
  // capset: replace this thread's effective/permitted/inheritable sets (can only lower permitted).
  check(capsetC({ version: LINUX_CAPABILITY_VERSION_3, pid: 0 }, data), 'capset');
}
