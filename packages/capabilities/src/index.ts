/**
 * @tincan/capabilities — Linux capability sets: names ↔ numbers, immutable sets, docker's
 * --cap-add/--cap-drop semantics, the five sets a container process gets, and reading them back.
 */
export { CAPABILITY_NAMES, type CapabilityName, capabilityNumber, capabilityName, lastCap, UnknownCapabilityError } from './names';
export { CapabilitySet, type Capability } from './set';
export { DEFAULT_CAPABILITIES, resolveCapabilities, type ResolveCapabilitiesOptions } from './resolve';
export { containerCapabilities, CapabilityError, type ProcessCapabilities, type ContainerCapabilitiesOptions } from './process';
export { readCapabilities, readThreadCapabilities, type ThreadCapabilities } from './read';
