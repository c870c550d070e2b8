/** @tincan/image layer engine: OCI/docker layer tars applied safely to a directory. */
export { applyLayer } from './apply-layer';
export { applyLayers, extractLayers, type ApplyLayersOptions, type OverlayLayerInput } from './apply-layers';
export { LayerError } from './errors';
export { DEFAULT_LIMITS } from './limits';
export type {
  ApplyMode, ApplyOptions, Compression, IdMap, IdMapping, LayerInput, LayerLimits, LayerResult, LayerWarning, MultiLayerOptions,
} from './types';
