import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A package's README example and README text: the example is `test/readme-example.ts` as the README
 * must quote it, with the package's own name where the file imports '../src'.
 */
export function quotedExample(testDir: string, packageName: string): { example: string; readme: string } {
  const example = readFileSync(join(testDir, 'readme-example.ts'), 'utf8').replace("from '../src'", `from '${packageName}'`);
  return { example, readme: readFileSync(join(testDir, '..', 'README.md'), 'utf8') };
}
