import type { Readable } from 'node:stream';
import type { ApplyLayersOptions, OverlayLayerInput } from './apply-layers';
import type { ApplyOptions, LayerInput, LayerResult, MultiLayerOptions } from './types';

// The engine (tar parser, gzip and zstd, whiteouts) is loaded on the first call, so that a program that
// only imports the package (for LayerError or its text helpers, as @tincan/image does) does not initialise it.

/** Apply one layer (a stream or a file path) to `dest`; see apply-layer.ts. */
export async function applyLayer(input: Readable | string, dest: string, opts: ApplyOptions): Promise<LayerResult> {
  return (await import('./apply-layer')).applyLayer(input, dest, opts);
}

/** Apply independent layers, each into its own dest (overlay lower dirs); see apply-layers.ts. */
export async function applyLayers(layers: readonly OverlayLayerInput[], opts?: ApplyLayersOptions): Promise<LayerResult[]> {
  return (await import('./apply-layers')).applyLayers(layers, opts);
}

/** Extract every layer in order into `dest`; see apply-layers.ts. */
export async function extractLayers(layers: readonly LayerInput[], dest: string, opts?: MultiLayerOptions): Promise<LayerResult[]> {
  return (await import('./apply-layers')).extractLayers(layers, dest, opts);
}
