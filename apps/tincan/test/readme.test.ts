import { rmSync } from 'node:fs';
import { busyboxRootfs, quotedExample } from '@tincan/testkit';

const { example, readme } = quotedExample(__dirname, '@tincan/runtime');

describe('README example', () => {
  it('is test/readme-example.ts, quoted', () => expect(readme).toContain('```ts\n' + example + '```'));

  it('runs a container and gives what its comment says', async () => {
    const { example: run } = await import('./readme-example');
    const root = busyboxRootfs();
    try {
      expect(await run(root)).toBe('sandbox: PID 1, uid 1000 (exit 0)');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
