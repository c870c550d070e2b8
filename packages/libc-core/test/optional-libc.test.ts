import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Node's own module resolution, as a consumer's program gets it: the built package runs in a child
// node without NODE_PATH (pnpm's bin shims point it at every workspace package, jest's resolver too).
const DIST = join(__dirname, '..', 'dist', 'index.js');
const ENV = { ...process.env, NODE_PATH: '' };

interface Outcome {
  marker?: string;
  name?: string;
  message?: string;
}

function requireLibcFrom(from: string, dependent: string, feature: string): Outcome {
  const script = `
    const { requireLibc } = require(${JSON.stringify(DIST)});
    try {
      console.log(JSON.stringify({ marker: requireLibc(...${JSON.stringify([from, dependent, feature])}).marker }));
    } catch (e) {
      console.log(JSON.stringify({ name: e.name, message: e.message.split('\\n')[0] }));
    }`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: ENV })) as Outcome;
}

describe('requireLibc', () => {
  const dir = mkdtempSync(join(tmpdir(), 'libc-core-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A file of a package directory under `dir`, whose node_modules holds `libc` as @tincan/libc when given. */
  function consumer(name: string, libc?: string): string {
    const root = join(dir, name);
    mkdirSync(root);
    if (libc !== undefined) {
      const pkg = join(root, 'node_modules', '@tincan', 'libc');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@tincan/libc', main: 'index.js' }));
      writeFileSync(join(pkg, 'index.js'), libc);
    }
    return join(root, 'index.js');
  }

  it('loads @tincan/libc as the calling package resolves it', () => {
    const from = consumer('with', "exports.marker = 'the bindings';");
    expect(requireLibcFrom(from, '@tincan/x', 'a feature')).toEqual({ marker: 'the bindings' });
  });

  it('names the feature, the package and what to install when it is missing', () => {
    expect(requireLibcFrom(consumer('without'), '@tincan/cgroups-v2', 'a device allowlist (bpf(2))')).toEqual({
      name: 'LibcNotInstalledError',
      message:
        'a device allowlist (bpf(2)) needs @tincan/libc (koffi bindings to libc), an optional peer dependency of @tincan/cgroups-v2: ' +
        'install @tincan/libc next to it',
    });
  });

  it('rethrows any other failure of an installed @tincan/libc', () => {
    expect(requireLibcFrom(consumer('broken', "require('./missing-file');"), '@tincan/x', 'a feature')).toEqual({
      name: 'Error',
      message: "Cannot find module './missing-file'",
    });
  });
});
