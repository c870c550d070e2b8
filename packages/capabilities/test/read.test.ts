import { capget, capset } from '@tincan/libc';
import { CapabilitySet, containerCapabilities, readCapabilities, readThreadCapabilities, type ProcessCapabilities } from '../src';
import { startReady } from '@tincan/testkit';

/** setpriv arguments that give a process exactly these sets (names in libcap's spelling). */
function setprivArgs(caps: ProcessCapabilities): string[] {
  const list = (set: CapabilitySet): string => ['-all', ...set.names().map((n) => `+${n.slice(4).toLowerCase()}`)].join(',');
  return [`--bounding-set=${list(caps.bounding)}`, `--inh-caps=${list(caps.inheritable)}`, `--ambient-caps=${list(caps.ambient)}`];
}

describe('readCapabilities', () => {
  it("of 'self' and readThreadCapabilities() equal capget(2) of this thread", () => {
    const proc = readCapabilities('self');
    const thread = readThreadCapabilities();
    const kernel = capget();
    for (const key of ['effective', 'permitted', 'inheritable'] as const) {
      expect([key, proc[key].mask, thread[key].mask]).toEqual([key, kernel[key], kernel[key]]);
    }
    expect(proc.permitted.isSubsetOf(proc.bounding)).toBe(true);
  });

  it('reads back a process started as root with only CAP_CHOWN (setpriv)', async () => {
    const child = await startReady(['setpriv', '--bounding-set=-all,+chown', '--inh-caps=-all', '--']);
    try {
      const caps = readCapabilities(child.pid);
      expect([caps.bounding, caps.effective, caps.permitted].map((s) => s.names())).toEqual([['CAP_CHOWN'], ['CAP_CHOWN'], ['CAP_CHOWN']]);
      expect([caps.inheritable, caps.ambient].map((s) => s.names())).toEqual([[], []]);
    } finally {
      await child.stop();
    }
  });

  it("reads back the sets containerCapabilities() asks for, for a non-root user with an ambient cap, after execve", async () => {
    const set = CapabilitySet.fromNames(['CHOWN', 'NET_RAW']);
    const ambient = CapabilitySet.fromNames(['NET_RAW']);
    const wanted = containerCapabilities(set, { user: 'nonroot', ambient });
    const child = await startReady(['setpriv', ...setprivArgs(wanted), '--reuid=1000', '--regid=1000', '--clear-groups', '--']);
    try {
      const caps = readCapabilities(child.pid);
      for (const key of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const) {
        expect([key, caps[key].names()]).toEqual([key, wanted[key].names()]);
      }
    } finally {
      await child.stop();
    }
  });

  it('throws naming the file for a process that does not exist', () => {
    expect(() => readCapabilities(0x3fffffff)).toThrow(`/proc/${0x3fffffff}/status`);
  });
});

describe('capset (through @tincan/libc)', () => {
  it('lowers and raises this thread\'s effective set again; capget sees each change', () => {
    const before = capget();
    const netRaw = 1n << 13n;
    expect(before.effective & netRaw).toBe(netRaw);
    try {
      capset({ ...before, effective: before.effective & ~netRaw });
      expect(readThreadCapabilities().effective.has('NET_RAW')).toBe(false);
      expect(readThreadCapabilities().permitted.has('NET_RAW')).toBe(true);
    } finally {
      capset(before);
    }
    expect(capget()).toEqual(before);
  });
});
