import { isInternalError } from '@tincan/layer';
import { bounded, oneLine } from './text';

/** What an image operation was working on when it failed; each present field is named in the message. */
export interface ImageErrorContext {
  /** The image reference or source string (e.g. `docker.io/library/alpine:latest`, `oci-archive:/x.tar`). */
  reference?: string;
  /** The blob or layer digest. */
  blob?: string;
  /** A path inside an archive, layout or image rootfs. */
  entry?: string;
  /** A filesystem path on the host. */
  path?: string;
}

/**
 * Any failure of @tincan/image: bad reference, malformed or unsupported image, verification or registry
 * error. The message is one line: every value in it is bounded and has its control characters escaped.
 */
export class ImageError extends Error {
  override readonly name = 'ImageError';
  readonly reference?: string;
  readonly blob?: string;
  readonly entry?: string;
  readonly path?: string;

  constructor(message: string, context: ImageErrorContext = {}, options?: { cause?: unknown }) {
    super(oneLine(`${describe(context)}${message}`), options);
    this.reference = context.reference;
    this.blob = context.blob;
    this.entry = context.entry;
    this.path = context.path;
  }
}

function describe(c: ImageErrorContext): string {
  const parts = [
    c.reference && `image ${bounded(c.reference)}`,
    c.blob && `blob ${bounded(c.blob)}`,
    c.entry && `entry ${bounded(c.entry)}`,
    c.path && `path ${bounded(c.path)}`,
  ].filter(Boolean);
  return parts.length ? `${parts.join(', ')}: ` : '';
}

/** The message of an unknown thrown value (for wrapping causes). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `e` as an ImageError in `context` (message prefixed with `what`), unless it is one already or a bug. */
export function asImageError(e: unknown, what: string, context: ImageErrorContext): unknown {
  if (e instanceof ImageError || isInternalError(e)) return e;
  return new ImageError(`${what}: ${messageOf(e)}`, context, { cause: e });
}
