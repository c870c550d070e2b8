import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const example = readFileSync(join(__dirname, 'readme-example.ts'), 'utf8').replace("from '../src'", "from '@tincan/nsexec'");
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README example', () => {
  it('is test/readme-example.ts, quoted', () => expect(readme).toContain('```ts\n' + example + '```'));

  it('runs and prints what its comment says', async () => {
    const { example: run } = await import('./readme-example');
    expect(await run()).toEqual({ output: 'sandbox 1\n', code: 0 });
  });
});
