import { busyboxRootfs, quotedExample } from '@tincan/testkit';

const { example, readme } = quotedExample(__dirname, '@tincan/mounts');

describe('README example', () => {
  it('is test/readme-example.ts, quoted', () => expect(readme).toContain('```ts\n' + example + '```'));

  it('plans the steps its comment shows', async () => {
    const { example: plan } = await import('./readme-example');
    const root = busyboxRootfs();
    const ops = plan(root, root);
    expect(ops.slice(0, 5)).toEqual(['mount', 'mount', 'setRoot', 'setMountAttr', 'mount']);
    expect(ops).toContain('pivotRoot');
    expect(ops.filter((o) => o === 'setMountAttr').length).toBeGreaterThanOrEqual(2);
  });
});
