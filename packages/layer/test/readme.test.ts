import { quotedExample } from '@tincan/testkit';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tar } from './fixtures/tar-builder';

const { example, readme } = quotedExample(__dirname, '@tincan/layer');

describe('README example', () => {
  const work = mkdtempSync(join(tmpdir(), 'layer-readme-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is test/readme-example.ts, quoted', () => expect(readme).toContain('```ts\n' + example + '```'));

  it('unpacks a gzipped layer and returns its diffId', async () => {
    const { unpackLayer } = await import('./readme-example');
    const layer = tar([{ name: 'etc/', type: 'dir' }, { name: 'etc/hello', data: 'hi\n' }]);
    writeFileSync(join(work, 'layer.tar.gz'), gzipSync(layer));
    const rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    expect(await unpackLayer(join(work, 'layer.tar.gz'), rootfs)).toBe(`sha256:${createHash('sha256').update(layer).digest('hex')}`);
    expect(readFileSync(join(rootfs, 'etc/hello'), 'utf8')).toBe('hi\n');
  });

  it('refuses an entry that escapes the root', async () => {
    const { unpackLayer } = await import('./readme-example');
    writeFileSync(join(work, 'evil.tar'), tar([{ name: '../../etc/passwd', data: 'pwned' }]));
    mkdirSync(join(work, 'root2'));
    expect(await unpackLayer(join(work, 'evil.tar'), join(work, 'root2'))).toMatch(/^refused: .*entry "\.\.\/\.\.\/etc\/passwd": path escapes the root$/);
  });
});
