import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS } from '@tincan/libc';

// The README shows the package's own name where the example file imports ../src.
const example = readFileSync(join(__dirname, 'readme-example.ts'), 'utf8').replace("from '../src'", "from '@tincan/namespaces'");
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

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
