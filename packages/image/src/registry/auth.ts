import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ImageError } from '../errors';
import { field, isRecord, parseJson } from '../json';
import { DOCKER_HUB } from '../reference';

export interface Credentials {
  username: string;
  password: string;
}

/** One WWW-Authenticate challenge: its scheme (lowercased) and its auth-params. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parse `Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params, quoted strings with escapes). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const param = /\s*([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/gy;
  for (let p = param.exec(m[2]); p; p = param.exec(m[2])) {
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  return { scheme: m[1].toLowerCase(), params };
}

/** The docker config that holds registry credentials: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function defaultAuthFile(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** `auths` of a docker config.json, keyed by normalised registry host; a missing file means no credentials. */
export async function loadCredentials(file: string): Promise<Map<string, Credentials>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new Map();
    if (code === undefined) throw e;
    throw new ImageError(`cannot read the registry credentials (${code})`, { path: file });
  }
  const auths = field(parseJson(bytes, 'registry credentials', { path: file }), 'auths');
  const result = new Map<string, Credentials>();
  for (const [key, entry] of Object.entries(isRecord(auths) ? auths : {})) {
    const creds = decodeEntry(entry);
    if (creds) result.set(registryKey(key), creds);
  }
  return result;
}

/** One `auths` entry: `auth` (base64 user:password), or `username` and `password`; anything else gives none. */
function decodeEntry(entry: unknown): Credentials | undefined {
  const auth = field(entry, 'auth');
  if (typeof auth === 'string' && auth !== '') {
    const plain = Buffer.from(auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) return { username: plain.slice(0, colon), password: plain.slice(colon + 1) };
  }
  const [username, password] = [field(entry, 'username'), field(entry, 'password')];
  return typeof username === 'string' && typeof password === 'string' ? { username, password } : undefined;
}

/** `https://index.docker.io/v1/` → docker.io, `http://host:5000/v2/` → host:5000. */
export function registryKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '');
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? DOCKER_HUB : host;
}

export function basicAuthorization(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}
