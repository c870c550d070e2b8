import { writeFileSync } from 'node:fs';
import { loadCredentials, parseChallenge, registryKey } from '../src/registry/auth';
import { RegistryClient } from '../src/registry/client';
import { scratchDir } from './helpers/scratch';

describe('registry client pieces', () => {
  const tmp = scratchDir('client');
  afterAll(() => tmp.cleanup());

  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/alpine:pull' } },
    ],
    ['Basic realm="Registry Realm"', { scheme: 'basic', params: { realm: 'Registry Realm' } }],
    ['bearer realm=http://h/t, service = svc', { scheme: 'bearer', params: { realm: 'http://h/t', service: 'svc' } }],
    ['Bearer realm="a\\"b",error="invalid_token"', { scheme: 'bearer', params: { realm: 'a"b', error: 'invalid_token' } }],
  ])('parses WWW-Authenticate %s', (header, expected) => {
    expect(parseChallenge(header)).toEqual(expected);
  });

  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['http://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['ghcr.io', 'ghcr.io'],
  ])('normalises the auths key %s', (key, host) => {
    expect(registryKey(key)).toBe(host);
  });

  it('reads base64 auth and username/password entries; a missing file is no credentials', async () => {
    const file = tmp.path('config.json');
    writeFileSync(file, JSON.stringify({ auths: {
      'https://index.docker.io/v1/': { auth: Buffer.from('hub:pa:ss').toString('base64') },
      'localhost:5000': { username: 'u', password: 'p' },
      'empty.example': {},
    } }));
    const creds = await loadCredentials(file);
    expect([...creds]).toEqual([
      ['docker.io', { username: 'hub', password: 'pa:ss' }],
      ['localhost:5000', { username: 'u', password: 'p' }],
    ]);
    expect((await loadCredentials(tmp.path('none.json'))).size).toBe(0);
  });

  it('speaks https by default, plain http to loopback and insecure registries', () => {
    const client = new RegistryClient({ insecureRegistries: ['reg.lan:5000', 'plain.lan'] });
    expect(client.baseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(client.baseUrl('ghcr.io')).toBe('https://ghcr.io');
    expect(client.baseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(client.baseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(client.baseUrl('127.1.2.3')).toBe('http://127.1.2.3');
    expect(client.baseUrl('[::1]:5000')).toBe('http://[::1]:5000');
    expect(client.baseUrl('reg.lan:5000')).toBe('http://reg.lan:5000');
    expect(client.baseUrl('reg.lan:6000')).toBe('https://reg.lan:6000');
    expect(client.baseUrl('plain.lan:443')).toBe('http://plain.lan:443');
  });
});
