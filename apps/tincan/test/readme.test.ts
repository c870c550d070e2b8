import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxRootfs } from '../../../packages/nsexec/test/rootfs';

const example = readFileSync(join(__dirname, 'readme-example.ts'), 'utf8').replace("from '../src'", "from 'tincan'");
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

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
