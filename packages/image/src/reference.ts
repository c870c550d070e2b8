import { ImageError } from './errors';
import { quote } from './text';

/** A normalised registry image reference (docker's distribution/reference rules). */
export interface ImageReference {
  /** Registry host[:port], `docker.io` for Docker Hub. */
  registry: string;
  /** Repository path, `library/alpine` for an official Hub image. */
  repository: string;
  /** Tag; `latest` when the reference had neither tag nor digest. */
  tag?: string;
  /** `sha256:<hex>` when pinned by digest. */
  digest?: string;
}

/** What a `source` string names, by containers/image transport syntax or as a plain path. */
export type SourceSpec =
  | { kind: 'directory'; path: string }
  | { kind: 'tarball'; path: string }
  | { kind: 'oci'; path: string; tag?: string; digest?: string }
  | { kind: 'oci-archive'; path: string; tag?: string }
  | { kind: 'docker-archive'; path: string; ref?: ImageReference }
  | { kind: 'docker'; ref: ImageReference }
  | { kind: 'name'; ref: ImageReference };

export const DOCKER_HUB = 'docker.io';
const MAX_NAME_LENGTH = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256_RE = /^sha256:[a-f0-9]{64}$/;
const TARBALL_RE = /\.(?:tar|tar\.gz|tgz|tar\.zst|tar\.zstd)$/;

/** Throws unless `digest` is `sha256:` followed by 64 lowercase hex digits (the only algorithm the store keeps). */
export function assertSha256(digest: string, reference?: string): string {
  if (!SHA256_RE.test(digest)) throw new ImageError(`invalid or unsupported digest ${quote(digest)} (want sha256:<64 hex>)`, { reference });
  return digest;
}

/**
 * Parse a docker-style reference and normalise it like docker does:
 * `alpine` → docker.io/library/alpine:latest, `index.docker.io/x/y` → docker.io/x/y:latest.
 */
export function parseImageReference(input: string): ImageReference {
  const fail = (why: string): never => {
    throw new ImageError(`invalid image reference: ${why}`, { reference: input });
  };
  if (input === '') fail('empty');
  const { name, tag, digest } = splitTagAndDigest(input, fail);
  if (name.length > MAX_NAME_LENGTH) fail(`repository name longer than ${MAX_NAME_LENGTH} characters`);
  const { registry, repository } = splitDomain(name);
  if (!DOMAIN_RE.test(registry)) fail(`bad registry host ${quote(registry)}`);
  for (const component of repository.split('/')) {
    if (component.toLowerCase() === component && PATH_COMPONENT_RE.test(component)) continue;
    fail(component.toLowerCase() !== component ? 'repository name must be lowercase' : `bad path component ${quote(component)}`);
  }
  if (tag !== undefined && !TAG_RE.test(tag)) fail(`bad tag ${quote(tag)}`);
  if (digest !== undefined && !DIGEST_RE.test(digest)) fail(`bad digest ${quote(digest)}`);
  return { registry, repository, ...(tag === undefined && digest === undefined ? { tag: 'latest' } : { tag }), ...(digest && { digest }) };
}

/** `name[:tag][@digest]` → its parts; the tag colon is the last one after the last slash. */
function splitTagAndDigest(input: string, fail: (why: string) => never): { name: string; tag?: string; digest?: string } {
  const at = input.indexOf('@');
  const digest = at >= 0 ? input.slice(at + 1) : undefined;
  const rest = at >= 0 ? input.slice(0, at) : input;
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const name = hasTag ? rest.slice(0, colon) : rest;
  if (name === '') fail('missing repository name');
  return { name, ...(hasTag && { tag: rest.slice(colon + 1) }), ...(digest !== undefined && { digest }) };
}

/** docker's splitDockerDomain: the first component is a registry only if it looks like a host. */
function splitDomain(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const looksLikeHost = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  let registry = looksLikeHost ? first : DOCKER_HUB;
  let repository = looksLikeHost ? name.slice(slash + 1) : name;
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository };
}

/** The canonical string: `registry/repository[:tag][@digest]`. */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** Parse and re-format: the key under which the store names an image. */
export function normalizeImageName(input: string): string {
  return formatImageReference(parseImageReference(input));
}

/** normalizeImageName, or undefined for a string that is no reference (archives carry free-form names). */
export function tryNormalizeImageName(input: string): string | undefined {
  try {
    return normalizeImageName(input);
  } catch {
    return undefined;
  }
}

/**
 * Classify a `source`: containers/image transports (`oci:`, `oci-archive:`, `docker-archive:`,
 * `docker://`), a path (starts with `/`, `./`, `../`, or ends in a tarball suffix), else a bare
 * image reference.
 */
export function parseSource(source: string): SourceSpec {
  if (source === '') throw new ImageError('empty source', { reference: source });
  if (source.startsWith('docker://')) return { kind: 'docker', ref: parseImageReference(source.slice('docker://'.length)) };
  if (source.startsWith('oci:')) return parseOciLayoutSource(source, source.slice('oci:'.length));
  if (source.startsWith('oci-archive:')) return { kind: 'oci-archive', ...splitPathAndTag(source, source.slice('oci-archive:'.length)) };
  if (source.startsWith('docker-archive:')) return parseDockerArchiveSource(source, source.slice('docker-archive:'.length));
  if (isPathLike(source)) return TARBALL_RE.test(source) ? { kind: 'tarball', path: source } : { kind: 'directory', path: source };
  return { kind: 'name', ref: parseImageReference(source) };
}

function isPathLike(source: string): boolean {
  return source.startsWith('/') || source.startsWith('./') || source.startsWith('../') || source === '.' || source === '..' || TARBALL_RE.test(source);
}

/** `oci:PATH[:TAG]` or `oci:PATH@sha256:…` (path split at the first colon, like containers/image). */
function parseOciLayoutSource(source: string, rest: string): SourceSpec {
  const pinned = /^(.+)@(sha256:[a-f0-9]{64})$/.exec(rest);
  if (pinned) return { kind: 'oci', path: requirePath(source, pinned[1]), digest: pinned[2] };
  return { kind: 'oci', ...splitPathAndTag(source, rest) };
}

function splitPathAndTag(source: string, rest: string): { path: string; tag?: string } {
  const colon = rest.indexOf(':');
  if (colon < 0) return { path: requirePath(source, rest) };
  const tag = rest.slice(colon + 1);
  if (tag === '' || /[\s/]/.test(tag)) throw new ImageError(`bad tag ${quote(tag)}`, { reference: source });
  return { path: requirePath(source, rest.slice(0, colon)), tag };
}

/** `docker-archive:FILE[:REF]`: REF is a docker reference and may itself contain colons. */
function parseDockerArchiveSource(source: string, rest: string): SourceSpec {
  const colon = rest.indexOf(':');
  if (colon < 0) return { kind: 'docker-archive', path: requirePath(source, rest) };
  return { kind: 'docker-archive', path: requirePath(source, rest.slice(0, colon)), ref: parseImageReference(rest.slice(colon + 1)) };
}

function requirePath(source: string, path: string): string {
  if (path === '') throw new ImageError('missing path', { reference: source });
  return path;
}
