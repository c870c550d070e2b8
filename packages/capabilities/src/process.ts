import { CapabilitySet } from './set';

/** The five capability sets of a Linux process (capabilities(7)). */
export interface ProcessCapabilities {
  bounding: CapabilitySet;
  effective: CapabilitySet;
  permitted: CapabilitySet;
  inheritable: CapabilitySet;
  ambient: CapabilitySet;
}

export interface ContainerCapabilitiesOptions {
  /** Whether the container process runs as uid 0 (in its user namespace) or as another user. */
  user: 'root' | 'nonroot';
  /** Capabilities to keep across execve as ambient (must be within the container's set; default none). */
  ambient?: CapabilitySet;
}

/** Asked to raise an ambient capability that the container's set does not include. */
export class CapabilityError extends Error {
  override readonly name = 'CapabilityError';
}

/**
 * The sets a container's process should be given before execve, as docker does (moby oci.SetCapabilities).
 * root: bounding = effective = permitted = set; inheritable and ambient empty (moby leaves inheritable
 * empty since CVE-2022-24769, so file capabilities of an executable cannot add to the set).
 * nonroot: bounding = set; effective = permitted = empty, to match what execve does for a non-zero uid.
 * `ambient` A (nonroot or root), when asked, goes into inheritable and ambient, and for nonroot also into
 * effective and permitted: the kernel keeps an ambient capability only while it is permitted and inheritable.
 */
export function containerCapabilities(set: CapabilitySet, options: ContainerCapabilitiesOptions): ProcessCapabilities {
  const ambient = options.ambient ?? CapabilitySet.empty();
  if (!ambient.isSubsetOf(set)) {
    throw new CapabilityError(`ambient capabilities not in the container's set: ${ambient.difference(set)}`);
  }
  const raised = options.user === 'root' ? set : ambient;
  return { bounding: set, effective: raised, permitted: raised, inheritable: ambient, ambient };
}
