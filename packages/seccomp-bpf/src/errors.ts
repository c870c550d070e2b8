/** Longest message: a profile's values are quoted in it, and a hostile profile can hold megabytes. */
const MAX_MESSAGE = 500;

/** One line of at most MAX_MESSAGE characters, control characters escaped. */
function oneLine(text: string): string {
  const escaped = text.slice(0, MAX_MESSAGE).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > MAX_MESSAGE ? `${escaped}…` : escaped;
}

/** A profile that cannot be loaded or compiled; `path` names the offending field (e.g. `syscalls[3].args[0].op`). */
export class SeccompProfileError extends Error {
  override readonly name = 'SeccompProfileError';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(oneLine(path === '' ? detail : `${path}: ${detail}`));
  }
}
