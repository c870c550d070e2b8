import { CapabilityError, CapabilitySet, DEFAULT_CAPABILITIES, containerCapabilities } from '../src';

describe('containerCapabilities', () => {
  const set = DEFAULT_CAPABILITIES;
  const empty = CapabilitySet.empty();

  it('root: bounding = effective = permitted = set, inheritable and ambient empty', () => {
    const caps = containerCapabilities(set, { user: 'root' });
    expect([caps.bounding, caps.effective, caps.permitted].every((s) => s.equals(set))).toBe(true);
    expect(caps.inheritable.equals(empty) && caps.ambient.equals(empty)).toBe(true);
  });

  it('nonroot: only bounding, as execve would leave a non-zero uid', () => {
    const caps = containerCapabilities(set, { user: 'nonroot' });
    expect(caps.bounding.equals(set)).toBe(true);
    expect([caps.effective, caps.permitted, caps.inheritable, caps.ambient].every((s) => s.equals(empty))).toBe(true);
  });

  it('nonroot with ambient: the ambient caps in every set but bounding', () => {
    const netBind = CapabilitySet.fromNames(['NET_BIND_SERVICE']);
    const caps = containerCapabilities(set, { user: 'nonroot', ambient: netBind });
    expect(caps.bounding.equals(set)).toBe(true);
    expect([caps.effective, caps.permitted, caps.inheritable, caps.ambient].every((s) => s.equals(netBind))).toBe(true);
  });

  it('refuses ambient capabilities outside the set', () => {
    expect(() => containerCapabilities(set, { user: 'nonroot', ambient: CapabilitySet.fromNames(['SYS_ADMIN']) })).toThrow(
      new CapabilityError("ambient capabilities not in the container's set: CAP_SYS_ADMIN"),
    );
  });
});
