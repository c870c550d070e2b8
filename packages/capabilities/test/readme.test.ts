import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The README shows the package's own name where the example file imports ../src.
const example = readFileSync(join(__dirname, 'readme-example.ts'), 'utf8').replace("from '../src'", "from '@tincan/capabilities'");
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README example', () => {
  it('is test/readme-example.ts, quoted', () => {
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('runs and gives the values its comments state', async () => {
    const { bounding, effective, mine } = await import('./readme-example');
    expect(bounding).toHaveLength(13);
    expect(bounding).toContain('CAP_NET_ADMIN');
    expect(bounding).not.toContain('CAP_MKNOD');
    expect(effective).toEqual([]);
    expect(mine).toBe(true);
  });
});
