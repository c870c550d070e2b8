import { quotedExample } from '@tincan/testkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { example, readme } = quotedExample(__dirname, '@tincan/libc');

describe('README example', () => {
  it('is test/readme-example.ts, quoted', () => expect(readme).toContain('```ts\n' + example + '```'));

  it('reads inside the root and names the failed syscall', async () => {
    const { readInRoot } = await import('./readme-example');
    const root = mkdtempSync(join(tmpdir(), 'libc-readme-'));
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'passwd'), 'in the root\n');
    expect(readInRoot(root, '../../etc/passwd')).toBe('in the root\n');
    expect(readInRoot(root, 'x')).toBe('openat2 x: ENOENT');
    rmSync(root, { recursive: true });
  });
});
