import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxRootfs } from '../../nsexec/test/rootfs';

const example = readFileSync(join(__dirname, 'readme-example.ts'), 'utf8').replace("from '../src'", "from '@tincan/mounts'");
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README example', () => {
  it('is test/readme-example.ts, quoted', () => expect(readme).toContain('```ts\n' + example + '```'));

  it('plans the steps its comment shows', async () => {
    const { example: plan } = await import('./readme-example');
    const root = busyboxRootfs();
    const ops = plan(root, root);
    expect(ops.slice(0, 4)).toEqual(['mount', 'mount', 'setRoot', 'mount']);
    expect(ops).toContain('pivotRoot');
    expect(ops.filter((o) => o === 'setMountAttr').length).toBeGreaterThanOrEqual(2);
  });
});
