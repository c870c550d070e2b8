import { KernelFeatureError } from '@tincan/libc-core';
import { CapabilitySet, DEFAULT_CAPABILITIES, UnknownCapabilityError, lastCap, resolveCapabilities } from '../src';

const DOCKER_DEFAULTS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];
const defaults = (): CapabilitySet => CapabilitySet.fromNames(DOCKER_DEFAULTS);
const supported = (last: number): CapabilitySet => CapabilitySet.fromNames(CapabilitySet.all().numbers().filter((n) => n <= last));

describe('DEFAULT_CAPABILITIES', () => {
  it("is docker's 14", () => {
    expect(DEFAULT_CAPABILITIES.size).toBe(14);
    expect(DEFAULT_CAPABILITIES.equals(defaults())).toBe(true);
  });
});

describe('resolveCapabilities: docker --cap-add/--cap-drop semantics', () => {
  const last = lastCap();
  const table: [string, Parameters<typeof resolveCapabilities>[0], CapabilitySet][] = [
    ['nothing: the defaults', {}, defaults()],
    ['add one', { add: ['NET_ADMIN'] }, defaults().add('CAP_NET_ADMIN')],
    ['drop two, any spelling', { drop: ['mknod', 'CAP_NET_RAW'] }, defaults().remove('MKNOD', 'NET_RAW')],
    ['drop one not in the base', { drop: ['SYS_ADMIN'] }, defaults()],
    ['add wins over drop', { add: ['NET_ADMIN'], drop: ['net_admin'] }, defaults().add('NET_ADMIN')],
    ['drop ALL: exactly add', { add: ['chown'], drop: ['ALL'] }, CapabilitySet.fromNames(['CHOWN'])],
    ['drop ALL alone: nothing', { drop: ['all'] }, CapabilitySet.empty()],
    ['add ALL: all supported except dropped', { add: ['ALL'], drop: ['MKNOD'] }, supported(last).remove('MKNOD')],
    ['add ALL and drop ALL: all (add ALL first)', { add: ['ALL'], drop: ['ALL'] }, supported(last)],
    ['custom base', { base: CapabilitySet.fromNames(['KILL']), add: ['SYS_TIME'] }, CapabilitySet.fromNames(['KILL', 'SYS_TIME'])],
  ];
  it.each(table)('%s', (_title, options, expected) => {
    expect(resolveCapabilities(options).names()).toEqual(expected.names());
  });

  it('throws naming an unknown capability in add or drop', () => {
    expect(() => resolveCapabilities({ add: ['NET_ADMINN'] })).toThrow(UnknownCapabilityError);
    expect(() => resolveCapabilities({ drop: ['bogus'] })).toThrow('"bogus"');
  });

  describe('capabilities above cap_last_cap (a kernel that stops at CAP_AUDIT_READ = 37)', () => {
    it('refuses to add one', () => {
      expect(() => resolveCapabilities({ add: ['PERFMON'], lastCap: 37 })).toThrow(KernelFeatureError);
      expect(() => resolveCapabilities({ add: ['PERFMON'], lastCap: 37 })).toThrow('CAP_PERFMON not supported by this kernel (cap_last_cap is 37)');
    });
    it('ignores dropping one', () => {
      expect(resolveCapabilities({ drop: ['BPF', 'MKNOD'], lastCap: 37 }).names()).toEqual(defaults().remove('MKNOD').names());
    });
    it('leaves them out of ALL', () => {
      const all = resolveCapabilities({ add: ['ALL'], lastCap: 37 });
      expect(all.has('AUDIT_READ')).toBe(true);
      expect(all.has('PERFMON') || all.has('BPF') || all.has('CHECKPOINT_RESTORE')).toBe(false);
    });
  });
});
