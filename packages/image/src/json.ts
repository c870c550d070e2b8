import { ImageError, type ImageErrorContext } from './errors';
import { bounded } from './text';

/** Deepest nesting of arrays and objects accepted in an image's JSON (OCI documents nest about 5 deep). */
const MAX_JSON_DEPTH = 64;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Parse JSON bytes, naming `what` they were in errors. The nesting depth is checked first, in one pass
 * over the bytes: whatever walks the parsed value afterwards (validators, JSON.stringify) recurses.
 */
export function parseJson(bytes: Uint8Array, what: string, context: ImageErrorContext): unknown {
  if (nestingExceeds(bytes, MAX_JSON_DEPTH)) throw new ImageError(`${what}: JSON nested deeper than ${MAX_JSON_DEPTH} levels`, context);
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as unknown;
  } catch (e) {
    throw new ImageError(`${what} is not valid JSON (${bounded((e as Error).message)})`, context);
  }
}

/** True when brackets outside strings nest deeper than `max` (invalid JSON is left to JSON.parse). */
function nestingExceeds(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > max) return true;
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) depth--;
  }
  return false;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A field of a JSON object, or undefined for any other value. */
export function field(v: unknown, name: string): unknown {
  return isRecord(v) ? v[name] : undefined;
}
