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

/** Any failure of @tincan/image: bad reference, missing image, verification or registry error. */
export class ImageError extends Error {
  override readonly name = 'ImageError';
  readonly reference?: string;
  readonly blob?: string;
  readonly entry?: string;
  readonly path?: string;

  constructor(message: string, context: ImageErrorContext = {}, options?: { cause?: unknown }) {
    super(`${describe(context)}${message}`, options);
    this.reference = context.reference;
    this.blob = context.blob;
    this.entry = context.entry;
    this.path = context.path;
  }
}

function describe(c: ImageErrorContext): string {
  const parts = [
    c.reference && `image ${c.reference}`,
    c.blob && `blob ${c.blob}`,
    c.entry && `entry ${c.entry}`,
    c.path && `path ${c.path}`,
  ].filter(Boolean);
  return parts.length ? `${parts.join(', ')}: ` : '';
}

/** The message of an unknown thrown value (for wrapping causes). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
