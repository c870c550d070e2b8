import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeExample } from './readme-example';
import { writeBusyboxLayout } from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';

describe('README', () => {
  const tmp = scratchDir('readme');
  afterAll(() => tmp.cleanup());

  it('quotes test/readme-example.ts verbatim', () => {
    const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
    const example = readFileSync(join(__dirname, 'readme-example.ts'), 'utf8');
    const body = /\/\/ readme:start\n([\s\S]*?)\s*\/\/ readme:end/.exec(example)?.[1] ?? '';
    const dedented = body.replace(/^ {2}/gm, '');
    expect(readme).toContain(`\`\`\`ts\nimport { ImageStore } from '@tincan/image';\n\n${dedented}\n\`\`\``);
  });

  it('runs the example', async () => {
    const layout = tmp.path('layout');
    await writeBusyboxLayout(layout, '1');
    const log = jest.spyOn(console, 'log').mockImplementation(() => {});
    const result = await readmeExample(tmp.path('store'), layout);
    log.mockRestore();
    expect(result.argv).toEqual(['/bin/sh', '-c', 'echo hello']);
    expect(result).toMatchObject({ uid: 1000, gid: 1000 });
    expect(result.lowerdir.split(':')).toHaveLength(2);
  });
});
