import { quotedExample } from '@tincan/testkit';

// The README shows the package's own name where the example file imports ../src.
const { example, readme } = quotedExample(__dirname, '@tincan/capabilities');

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
