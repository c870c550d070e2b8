import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CAPABILITY_NAMES, UnknownCapabilityError, capabilityName, capabilityNumber, lastCap } from '../src';

describe('capability names and numbers', () => {
  it('has the 41 capabilities CAP_CHOWN=0 … CAP_CHECKPOINT_RESTORE=40', () => {
    expect(CAPABILITY_NAMES).toHaveLength(41);
    expect(capabilityNumber('CAP_CHOWN')).toBe(0);
    expect(capabilityNumber('CAP_CHECKPOINT_RESTORE')).toBe(40);
  });

  it.each(CAPABILITY_NAMES.map((name, n) => [name, n] as const))('%s round-trips as %d', (name, n) => {
    expect(capabilityNumber(name)).toBe(n);
    expect(capabilityName(n)).toBe(name);
  });

  it('accepts CAP_NET_ADMIN, NET_ADMIN and net_admin', () => {
    expect(capabilityNumber('CAP_NET_ADMIN')).toBe(12);
    expect(capabilityNumber('NET_ADMIN')).toBe(12);
    expect(capabilityNumber('net_admin')).toBe(12);
    expect(capabilityNumber('cap_net_admin')).toBe(12);
  });

  it('throws an error naming an unknown capability', () => {
    expect(() => capabilityNumber('NET_ADMINN')).toThrow(UnknownCapabilityError);
    expect(() => capabilityNumber('NET_ADMINN')).toThrow('unknown capability: "NET_ADMINN"');
    expect(() => capabilityNumber('ALL')).toThrow('"ALL"');
    expect(() => capabilityName(41)).toThrow('unknown capability: 41');
    expect(() => capabilityName(-1)).toThrow(UnknownCapabilityError);
  });

  it("matches libcap's names (capsh --decode) for every number", () => {
    const decoded = execFileSync('capsh', [`--decode=0x${((1n << 41n) - 1n).toString(16)}`], { encoding: 'utf8' });
    const libcapNames = decoded.trim().split('=')[1]!.split(',');
    expect(libcapNames).toEqual(CAPABILITY_NAMES.map((n) => n.toLowerCase()));
  });

  it('lastCap() is the kernel\'s cap_last_cap and names a known capability', () => {
    const last = lastCap();
    expect(last).toBe(Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8')));
    expect(capabilityName(last)).toBe(CAPABILITY_NAMES[last]);
  });
});
