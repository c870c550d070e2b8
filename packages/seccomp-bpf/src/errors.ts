/** A profile that cannot be loaded or compiled; `path` names the offending field (e.g. `syscalls[3].args[0].op`). */
export class SeccompProfileError extends Error {
  override readonly name = 'SeccompProfileError';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path === '' ? detail : `${path}: ${detail}`);
  }
}
