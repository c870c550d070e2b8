import { quotedExample } from '@tincan/testkit';
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS } from '@tincan/libc-core';

// The README shows the package's own name where the example file imports ../src.
const { example, readme } = quotedExample(__dirname, '@tincan/namespaces');

describe('README example', () => {
  it('is test/readme-example.ts, quoted', () => {
    expect(readme).toContain('```ts\n' + example + '```');
  });

  it('runs and gives the values its comments state', async () => {
    const ex = await import('./readme-example');
    expect(ex.cloneFlags).toBe(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC);
    expect(ex.joins).toEqual([{ type: 'net', path: '/proc/self/ns/net', flag: CLONE_NEWNET }]);
    expect(ex.uidMapText).toBe('0 100000 65536\n');
    expect(ex.hostRoot).toBe(100000);
  });
});
