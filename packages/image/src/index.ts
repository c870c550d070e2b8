/**
 * @tincan/image — images into container roots: references, OCI layouts and archives, docker
 * archives, registry pulls, a verified content-addressed store, and prepared overlay lowers.
 */
export { ImageStore, type ImageStoreOptions, type PrepareOptions, type PullOptions, type PullPolicy, type UnpackOptions } from './store/image-store';
export type { PreparedRootfs } from './rootfs';
export type { ImageRecord, LayerRecord } from './store/records';
export type { ProgressEvent } from './store/context';
export type { PruneResult } from './store/prune';
export type { ImageDefaults } from './config/defaults';
export type { ResolvedUser } from './config/users';
export { buildRuntimeSpec, type RuntimeSpec } from './config/runtime-spec';
export { ImageError, type ImageErrorContext } from './errors';
export {
  parseSource, parseImageReference, formatImageReference, normalizeImageName, type SourceSpec, type ImageReference,
} from './reference';
export { hostPlatform, type Platform, type ImageConfig } from './sources/oci';
export { applyLayer, applyLayers, extractLayers, LayerError } from '@tincan/layer';
