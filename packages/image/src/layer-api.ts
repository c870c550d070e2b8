import type { Readable } from 'node:stream';
import type { ApplyLayersOptions, ApplyOptions, LayerInput, LayerResult, MultiLayerOptions, OverlayLayerInput } from './layer';

// The layer engine (tar parser, gzip and zstd, whiteouts) is loaded on the first call, so that
// loading the package for its store (a container from a cached image) does not initialise it.

/** Apply one layer (a stream or a file path) to `dest`; see layer/apply-layer.ts. */
export async function applyLayer(input: Readable | string, dest: string, opts: ApplyOptions): Promise<LayerResult> {
  return (await import('./layer')).applyLayer(input, dest, opts);
}

/** Apply independent layers, each into its own dest (overlay lower dirs); see layer/apply-layers.ts. */
export async function applyLayers(layers: readonly OverlayLayerInput[], opts?: ApplyLayersOptions): Promise<LayerResult[]> {
  return (await import('./layer')).applyLayers(layers, opts);
}

/** Extract every layer in order into `dest`; see layer/apply-layers.ts. */
export async function extractLayers(layers: readonly LayerInput[], dest: string, opts?: MultiLayerOptions): Promise<LayerResult[]> {
  return (await import('./layer')).extractLayers(layers, dest, opts);
}
