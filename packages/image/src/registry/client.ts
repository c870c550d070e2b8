import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ImageError } from '../errors';
import { field, parseJson } from '../json';
import { bounded, quote } from '../text';
import { DOCKER_HUB, type ImageReference, formatImageReference } from '../reference';
import { MANIFEST_MEDIA_TYPES, MAX_DOCUMENT_BYTES } from '../sources/oci';
import type { BlobStream } from '../sources/source';
import { type Challenge, type Credentials, basicAuthorization, defaultAuthFile, loadCredentials, parseChallenge } from './auth';
import { type RetryPolicy, describeNetworkError, fetchWithRetry } from './http';

export interface RegistryClientOptions {
  /** Registries (host or host:port) reached over plain http; localhost and 127.0.0.0/8 always are. */
  insecureRegistries?: string[];
  /** A docker config.json with `auths` (default $DOCKER_CONFIG/config.json or ~/.docker/config.json). */
  authFile?: string;
  log?: (line: string) => void;
  /** Tries per request for network errors and 5xx (default 4). */
  attempts?: number;
  /** First retry delay; doubles each time (default 250 ms). */
  retryDelayMs?: number;
}

/** A manifest as served: raw bytes (their digest is what gets verified) and Content-Type. */
export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

/** An OCI distribution (registry v2) client: manifests and blobs, token/basic auth, retries, Range. */
export class RegistryClient {
  private readonly authorizations = new Map<string, string>();
  private credentials?: Promise<Map<string, Credentials>>;
  private readonly retry: RetryPolicy;

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.retry = { attempts: opts.attempts ?? 4, baseDelayMs: opts.retryDelayMs ?? 250, log: opts.log };
  }

  /** `https://host` by default; plain http for loopback hosts and configured insecure registries. */
  baseUrl(registry: string): string {
    const host = registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
    const insecure = LOOPBACK_HOST.test(registry) || (this.opts.insecureRegistries ?? []).some((r) => r === registry || r === registry.replace(/:\d+$/, ''));
    return `${insecure ? 'http' : 'https'}://${host}`;
  }

  async getManifest(ref: ImageReference, tagOrDigest: string): Promise<FetchedManifest> {
    const res = await this.request(ref, `manifests/${tagOrDigest}`, { Accept: MANIFEST_MEDIA_TYPES.join(', ') });
    const bytes = await readDocument(res, 'manifest', formatImageReference(ref));
    return { bytes, mediaType: (res.headers.get('content-type') ?? '').split(';')[0].trim() };
  }

  /** A blob's body from `offset` (a Range request); a server that ignores Range restarts at 0. */
  async openBlob(ref: ImageReference, digest: string, offset: number): Promise<BlobStream> {
    const res = await this.request(ref, `blobs/${digest}`, offset > 0 ? { Range: `bytes=${offset}-` } : {});
    const start = res.status === 206 ? Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1] ?? -1) : 0;
    if (start !== 0 && start !== offset) {
      await res.body?.cancel();
      throw new ImageError(`registry answered a Range request for byte ${offset} from byte ${start}`, { reference: formatImageReference(ref), blob: digest });
    }
    if (!res.body) throw new ImageError('registry sent no body', { reference: formatImageReference(ref), blob: digest });
    return { stream: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), offset: start };
  }

  /** GET /v2/<repo>/<path>, answering one 401 challenge (Bearer token or Basic) and retrying transient failures. */
  private async request(ref: ImageReference, path: string, headers: Record<string, string>): Promise<Response> {
    const url = `${this.baseUrl(ref.registry)}/v2/${ref.repository}/${path}`;
    const key = `${ref.registry}/${ref.repository}`;
    let res = await this.send(url, headers, this.authorizations.get(key), ref);
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
      await res.body?.cancel();
      const authorization = await this.authorize(ref, challenge);
      this.authorizations.set(key, authorization);
      res = await this.send(url, headers, authorization, ref);
    }
    if (res.ok) return res;
    throw await this.httpError(res, ref, path);
  }

  private async send(url: string, headers: Record<string, string>, authorization: string | undefined, ref: ImageReference): Promise<Response> {
    try {
      return await fetchWithRetry(url, { headers: { ...headers, ...(authorization && { Authorization: authorization }) } }, this.retry);
    } catch (e) {
      throw new ImageError(`cannot reach ${url}: ${describeNetworkError(e)}`, { reference: formatImageReference(ref) }, { cause: e });
    }
  }

  /** The Authorization header value for a 401 challenge. */
  private async authorize(ref: ImageReference, challenge: Challenge | undefined): Promise<string> {
    const reference = formatImageReference(ref);
    const creds = (await this.loadCredentials()).get(ref.registry);
    if (challenge?.scheme === 'bearer' && challenge.params.realm) return `Bearer ${await this.fetchToken(ref, challenge, creds)}`;
    if (challenge?.scheme === 'basic' && creds) return basicAuthorization(creds);
    const where = this.opts.authFile ?? defaultAuthFile();
    throw new ImageError(`registry ${ref.registry} requires authentication${creds ? '' : ` and ${where} has no credentials for it`}`, { reference });
  }

  /** The token flow of the distribution spec: GET realm?service=…&scope=… (with Basic credentials when known). */
  private async fetchToken(ref: ImageReference, challenge: Challenge, creds: Credentials | undefined): Promise<string> {
    const reference = formatImageReference(ref);
    const url = URL.canParse(challenge.params.realm) ? new URL(challenge.params.realm) : undefined;
    if (!url) throw new ImageError(`registry ${ref.registry} named an invalid token server ${quote(challenge.params.realm)}`, { reference });
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', challenge.params.scope ?? `repository:${ref.repository}:pull`);
    let res: Response;
    try {
      res = await fetchWithRetry(url.href, { headers: creds ? { Authorization: basicAuthorization(creds) } : {} }, this.retry);
    } catch (e) {
      throw new ImageError(`cannot reach token server ${url.origin}: ${describeNetworkError(e)}`, { reference }, { cause: e });
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new ImageError(`token server ${url.origin} answered ${res.status}${creds ? ' (credentials refused?)' : ' (no credentials configured)'}`, { reference });
    }
    const body = parseJson(await readDocument(res, 'token', reference), `token server ${url.origin}'s answer`, { reference });
    const token = [field(body, 'token'), field(body, 'access_token')].find((t) => typeof t === 'string' && t !== '');
    if (typeof token !== 'string' || token === '') throw new ImageError(`token server ${url.origin} returned no token`, { reference });
    return token;
  }

  private loadCredentials(): Promise<Map<string, Credentials>> {
    this.credentials ??= loadCredentials(this.opts.authFile ?? defaultAuthFile());
    return this.credentials;
  }

  /** Turn a failed response into an error with the registry's own error code and message. */
  private async httpError(res: Response, ref: ImageReference, path: string): Promise<ImageError> {
    const text = (await readDocument(res, 'error', formatImageReference(ref)).catch(() => Buffer.alloc(0))).toString('utf8');
    let detail = text ? `: ${bounded(text)}` : '';
    try {
      const errors = field(JSON.parse(text), 'errors');
      const first: unknown = Array.isArray(errors) ? errors[0] : undefined;
      const part = (name: string): string => (typeof field(first, name) === 'string' ? bounded(field(first, name) as string) : '');
      if (first !== undefined) detail = `: ${part('code')} ${part('message')}`.trimEnd();
    } catch {
      // not JSON: the text itself (bounded) is the detail
    }
    const what = res.status === 401 || res.status === 403 ? ' (authentication failed)' : res.status === 404 ? ' (not found)' : '';
    return new ImageError(`GET ${path} answered ${res.status}${what}${detail}`, { reference: formatImageReference(ref) });
  }
}

/** A response body of at most MAX_DOCUMENT_BYTES, whatever Content-Length says (or does not say). */
async function readDocument(res: Response, what: string, reference: string): Promise<Buffer> {
  const tooLarge = (): ImageError => new ImageError(`registry's ${what} is larger than ${MAX_DOCUMENT_BYTES} bytes`, { reference });
  if (Number(res.headers.get('content-length') ?? 0) > MAX_DOCUMENT_BYTES) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  // leaving the loop early cancels the body
  for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > MAX_DOCUMENT_BYTES) break;
    chunks.push(chunk);
  }
  if (total > MAX_DOCUMENT_BYTES) throw tooLarge();
  return Buffer.concat(chunks);
}
