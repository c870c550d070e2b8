import { quotedExample } from '@tincan/testkit';

const { example, readme } = quotedExample(__dirname, '@tincan/nsexec');

describe('README example', () => {
  it('is test/readme-example.ts, quoted', () => expect(readme).toContain('```ts\n' + example + '```'));

  it('runs and prints what its comment says', async () => {
    const { example: run } = await import('./readme-example');
    expect(await run()).toEqual({ output: 'sandbox 1\n', code: 0 });
  });
});
