import { bounded, oneLine, quote } from '@tincan/libc-core';

/** A layer could not be applied: names the layer (digest or path), the entry and why, on one bounded line. */
export class LayerError extends Error {
  override readonly name = 'LayerError';
  constructor(
    readonly entry: string,
    readonly reason: string,
    readonly layer?: string,
    options?: { cause?: unknown },
  ) {
    super(oneLine(layerMessage(layer, entry, reason)), options);
  }
}

/** `layer sha256:ab12cd34ef56…: entry "x": reason` (digests shortened, paths kept whole). */
function layerMessage(layer: string | undefined, entry: string, reason: string): string {
  const where = layer === undefined ? '' : `layer ${bounded(shortLayer(layer))}: `;
  const what = entry === '' ? '' : `entry ${quote(entry)}: `;
  return `${where}${what}${reason}`;
}

function shortLayer(layer: string): string {
  const m = /^(sha256|sha512):([0-9a-f]{12})[0-9a-f]{20,}$/.exec(layer);
  return m ? `${m[1]}:${m[2]}…` : layer;
}

/** Wrap a failure (typically a SyscallError) met while applying `entry` into a LayerError; a bug's TypeError stays one. */
export function asLayerError(err: unknown, entry: string, layer: string | undefined): unknown {
  if (err instanceof LayerError || isInternalError(err)) return err;
  const reason = errorMessage(err);
  return new LayerError(entry, reason, layer, { cause: err });
}

/** The message of anything thrown (duck-typed: errors from Node's internals may come from another realm). */
export function errorMessage(err: unknown): string {
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}

/** Errors only a bug throws (a JavaScript built-in's, not one of ours or the kernel's): never reworded as an input error. */
const INTERNAL_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError']);

/** True for a TypeError, RangeError, …: wrapping it in an input error would show a user a bug as if it were their input's fault. */
export function isInternalError(e: unknown): boolean {
  // by name: errors from Node's internals may come from another realm, where instanceof fails
  const name = (e as { name?: unknown } | null)?.name;
  return typeof name === 'string' && INTERNAL_ERRORS.has(name);
}
