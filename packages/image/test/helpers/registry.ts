/**
 * Real registries for the tests: docker-registry (distribution 2.8) on 127.0.0.1, a
 * token server for its `auth: token` mode, and a node:http proxy that can demand Basic auth,
 * fail or cut a response, and records every request it forwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate, createSign, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './tools';

export interface Running {
  port: number;
  /** host:port, as used in image references */
  host: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
}

/** Start docker-registry with filesystem storage under `storage`; resolves once /v2/ answers. */
export async function startRegistry(dir: string, storage: string, auth?: TokenAuth): Promise<Running> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const config = join(dir, `config-${port}.yml`);
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storage}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...(auth
        ? ['auth:', '  token:', `    realm: ${auth.realm}`, `    service: ${auth.service}`, `    issuer: ${auth.issuer}`, `    rootcertbundle: ${auth.rootCertBundle}`]
        : []),
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  await waitForHttp(`http://127.0.0.1:${port}/v2/`, child, () => stderr);
  return { port, host: `127.0.0.1:${port}`, stop: () => stopChild(child) };
}

async function waitForHttp(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${stderr()}`);
    const ok = await fetch(url).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not answer on ${url}: ${stderr()}`);
}

/** Stop a child we started (by its own handle, never by name). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000, undefined, { ref: false })]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** skopeo copy into the registry; `format: 'v2s2'` converts to docker media types on the way. */
export function skopeoPush(from: string, host: string, repoAndTag: string, opts: { all?: boolean; format?: 'oci' | 'v2s2' } = {}): Promise<string> {
  const flags = [...(opts.all ? ['--all'] : []), ...(opts.format ? ['--format', opts.format] : [])];
  return run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', ...flags, from, `docker://${host}/${repoAndTag}`]);
}

/** A request as the proxy or token server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  range?: string;
  authorization?: string;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export interface TokenServer extends Running {
  auth: TokenAuth;
  requests: SeenRequest[];
}

/**
 * The distribution token flow's auth server: checks Basic credentials and returns an RS256 JWT
 * whose x5c header carries the self-signed certificate the registry trusts (rootcertbundle).
 */
export async function startTokenServer(dir: string, user: string, password: string): Promise<TokenServer> {
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=tincan-test-token']);
  const key = readFileSync(keyFile, 'utf8');
  const x5c = new X509Certificate(readFileSync(certFile)).raw.toString('base64');
  const requests: SeenRequest[] = [];
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const service = 'tincan-test-registry';
  const issuer = 'tincan-test-issuer';
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const scope = new URL(req.url ?? '/', 'http://x').searchParams.get('scope') ?? '';
    const token = signJwt(key, x5c, { iss: issuer, sub: user, aud: service, access: accessOf(scope) });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
  });
  const port = await listen(server);
  return {
    port,
    host: `127.0.0.1:${port}`,
    requests,
    auth: { realm: `http://127.0.0.1:${port}/token`, service, issuer, rootCertBundle: certFile },
    stop: () => closeServer(server),
  };
}

/** `repository:test/busybox:pull,push` → the JWT access claim. */
function accessOf(scope: string): { type: string; name: string; actions: string[] }[] {
  if (!scope) return [];
  const parts = scope.split(':');
  return [{ type: parts[0], name: parts.slice(1, -1).join(':'), actions: parts[parts.length - 1].split(',') }];
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function signJwt(key: string, x5c: string, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [x5c] }));
  const body = b64url(JSON.stringify({ ...claims, iat: now, nbf: now - 60, exp: now + 300, jti: randomBytes(8).toString('hex') }));
  const signature = createSign('RSA-SHA256').update(`${header}.${body}`).sign(key);
  return `${header}.${body}.${b64url(signature)}`;
}

export interface ProxyBehaviour {
  /** Answer 401 + `WWW-Authenticate: Basic` unless this Authorization header is sent. */
  basicAuth?: string;
  /** Answer 503 to the first this many manifest GETs. */
  failManifests?: number;
  /** Cut the connection half-way through the first GET of this blob digest. */
  cutBlob?: string;
  /** Drop Range headers (a server that cannot resume). */
  ignoreRange?: boolean;
}

export interface Proxy extends Running {
  requests: SeenRequest[];
  behaviour: ProxyBehaviour;
}

/** A forwarding proxy in front of a registry on `upstream`, misbehaving as `behaviour` says. */
export async function startProxy(upstream: number, behaviour: ProxyBehaviour = {}): Promise<Proxy> {
  const requests: SeenRequest[] = [];
  const state = { manifestFailures: 0, cut: false };
  const server = http.createServer((req, res) => {
    const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', range: req.headers.range, authorization: req.headers.authorization };
    requests.push(seen);
    if (behaviour.basicAuth && req.url !== '/v2/' && req.headers.authorization !== behaviour.basicAuth) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="tincan-test"', 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    if (req.url?.includes('/manifests/') && state.manifestFailures < (behaviour.failManifests ?? 0)) {
      state.manifestFailures++;
      res.writeHead(503).end('try later');
      return;
    }
    const headers = { ...req.headers, host: `127.0.0.1:${upstream}` };
    delete headers.authorization;
    if (behaviour.ignoreRange) delete headers.range;
    const cut = !state.cut && behaviour.cutBlob !== undefined && req.url?.endsWith(`/blobs/${behaviour.cutBlob}`) === true && !req.headers.range;
    if (cut) state.cut = true;
    const up = http.request({ host: '127.0.0.1', port: upstream, method: req.method, path: req.url, headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (!cut) return void upRes.pipe(res);
      cutHalfway(upRes, res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  const port = await listen(server);
  return { port, host: `127.0.0.1:${port}`, requests, behaviour, stop: () => closeServer(server) };
}

/** Forward half of the body, then destroy the socket: a connection dropped mid-blob. */
function cutHalfway(upRes: http.IncomingMessage, res: http.ServerResponse): void {
  const total = Number(upRes.headers['content-length'] ?? 0);
  let sent = 0;
  upRes.on('data', (chunk: Buffer) => {
    if (sent >= total / 2) return;
    const part = chunk.subarray(0, Math.max(0, Math.ceil(total / 2) - sent));
    sent += part.length;
    if (sent < total / 2) return void res.write(part);
    upRes.destroy();
    // reset only once the half is flushed to the socket, so the client really has it
    res.write(part, () => res.socket?.destroy());
  });
}
