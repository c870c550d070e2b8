import { availableParallelism } from 'node:os';
import { applyLayer } from './apply-layer';
import type { LayerInput, LayerResult, MultiLayerOptions } from './types';

/** A layer for applyLayers: applied alone into its own directory (an overlayfs lower dir). */
export interface OverlayLayerInput extends LayerInput {
  dest: string;
}

export interface ApplyLayersOptions extends MultiLayerOptions {
  /** layers applied at once (default: the number of CPUs) */
  concurrency?: number;
}

/** Full extraction of an image: every layer in order into `dest` (mode 'extract'), for `tincan unpack` and hosts without overlayfs. */
export async function extractLayers(layers: readonly LayerInput[], dest: string, opts: MultiLayerOptions = {}): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  for (const l of layers) results.push(await applyLayer(l.input, dest, { ...opts, ...layerOptions(l), mode: 'extract' }));
  return results;
}

/**
 * Apply independent layers (mode 'overlay'), each into its own dest, `concurrency` at a time.
 * They share this thread: while one waits for zlib (on the libuv threadpool) another applies
 * entries, which already uses both cores here without workers. The first failure aborts the rest.
 */
export async function applyLayers(layers: readonly OverlayLayerInput[], opts: ApplyLayersOptions = {}): Promise<LayerResult[]> {
  const { concurrency = availableParallelism(), ...common } = opts;
  const abort = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal;
  const results = new Array<LayerResult>(layers.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < layers.length) {
      const i = next++;
      const l = layers[i]!;
      try {
        results[i] = await applyLayer(l.input, l.dest, { ...common, ...layerOptions(l), mode: 'overlay', signal });
      } catch (err) {
        failure ??= { err };
        abort.abort(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, layers.length)) }, worker));
  if (failure) throw failure.err;
  return results;
}

function layerOptions(l: LayerInput): { mediaType?: string; compression?: LayerInput['compression']; layer?: string } {
  return { mediaType: l.mediaType, compression: l.compression, layer: l.layer ?? (typeof l.input === 'string' ? l.input : undefined) };
}
