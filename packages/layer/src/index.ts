/** @tincan/layer: OCI/docker layer tars applied safely to a directory (the engine loads on first use). */
export { applyLayer, applyLayers, extractLayers } from './lazy-api';
export type { ApplyLayersOptions, OverlayLayerInput } from './apply-layers';
export { LayerError, isInternalError } from './errors';
export { DEFAULT_LIMITS } from './limits';
export { isLayerMediaType } from './media-type';
export type {
  ApplyMode, ApplyOptions, Compression, IdMap, IdMapping, LayerInput, LayerResult, LayerLimits, LayerWarning, MultiLayerOptions,
} from './types';
