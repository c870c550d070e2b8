/** A namespace spec that cannot be planned: unknown or repeated type, or a bad join path. */
export class NamespaceSpecError extends Error {
  override readonly name = 'NamespaceSpecError';
}

/** A uid/gid map the kernel would refuse (or that cannot be parsed or allocated). */
export class IdMapError extends Error {
  override readonly name = 'IdMapError';
}
