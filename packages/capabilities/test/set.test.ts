import { CapabilitySet, UnknownCapabilityError } from '../src';

describe('CapabilitySet', () => {
  it('is a bigint mask built from names in any spelling or from numbers', () => {
    const set = CapabilitySet.fromNames(['chown', 'NET_ADMIN', 'CAP_SYS_ADMIN', 40]);
    expect(set.mask).toBe((1n << 0n) | (1n << 12n) | (1n << 21n) | (1n << 40n));
    expect(set.names()).toEqual(['CAP_CHOWN', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'CAP_CHECKPOINT_RESTORE']);
    expect(set.numbers()).toEqual([0, 12, 21, 40]);
    expect(set.size).toBe(4);
    expect(CapabilitySet.fromMask(set.mask).equals(set)).toBe(true);
  });

  it('is immutable: add and remove return new sets', () => {
    const empty = CapabilitySet.empty();
    const one = empty.add('KILL');
    expect(empty.has('KILL')).toBe(false);
    expect(one.has('CAP_KILL')).toBe(true);
    expect(one.remove('kill').equals(empty)).toBe(true);
    expect(Object.isFrozen(one)).toBe(true);
  });

  it('has union, intersection, difference and subset', () => {
    const a = CapabilitySet.fromNames(['CHOWN', 'KILL']);
    const b = CapabilitySet.fromNames(['KILL', 'MKNOD']);
    expect(a.union(b).names()).toEqual(['CAP_CHOWN', 'CAP_KILL', 'CAP_MKNOD']);
    expect(a.intersection(b).names()).toEqual(['CAP_KILL']);
    expect(a.difference(b).names()).toEqual(['CAP_CHOWN']);
    expect(a.intersection(b).isSubsetOf(a)).toBe(true);
    expect(a.isSubsetOf(b)).toBe(false);
  });

  it('all() has every known capability, empty() none', () => {
    expect(CapabilitySet.all().size).toBe(41);
    expect(CapabilitySet.all().mask).toBe(0x1ffffffffffn);
    expect(CapabilitySet.empty().names()).toEqual([]);
  });

  it('refuses unknown names and mask bits, naming them', () => {
    expect(() => CapabilitySet.fromNames(['CAP_FLY'])).toThrow('unknown capability: "CAP_FLY"');
    expect(() => CapabilitySet.fromMask(1n << 41n)).toThrow(UnknownCapabilityError);
    expect(() => CapabilitySet.fromMask(1n << 41n)).toThrow('unknown capability: 41');
    expect(() => CapabilitySet.empty().has(99)).toThrow('unknown capability: 99');
  });
});
