import type { LayerLimits } from './types';

/**
 * Defaults sized for the largest real images (a few hundred thousand files, tens of GiB). maxDepth is
 * as deep as a 4096-byte name can go: it bounds the directories a symlink's target makes an entry create.
 */
export const DEFAULT_LIMITS: Readonly<Required<LayerLimits>> = {
  maxEntries: 2_000_000,
  maxBytes: 64 * 1024 ** 3,
  maxNameLength: 4096,
  maxDepth: 2048,
};

/** Linux NAME_MAX: the longest single path component. */
export const MAX_COMPONENT_LENGTH = 255;

/** Largest PAX extended header we buffer (xattr values are at most 64 KiB on Linux). */
export const MAX_PAX_HEADER = 1024 * 1024;

export function resolveLimits(limits: LayerLimits | undefined): Required<LayerLimits> {
  return { ...DEFAULT_LIMITS, ...limits };
}
