import { bounded } from '@tincan/libc-core';

/** A profile's values are quoted in its messages, and a hostile profile can hold megabytes: ~500 characters at most. */
const MAX_MESSAGE = 480;

/** A profile that cannot be loaded or compiled; `path` names the offending field (e.g. `syscalls[3].args[0].op`). */
export class SeccompProfileError extends Error {
  override readonly name = 'SeccompProfileError';
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(bounded(path === '' ? detail : `${path}: ${detail}`, MAX_MESSAGE));
  }
}
