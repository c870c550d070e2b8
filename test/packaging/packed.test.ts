// Each published package as another project gets it: packed by `pnpm pack`, installed by `npm install`
// from its tarball (with only the tarballs of our packages it declares) into a fresh project, loaded as an
// ES module and as CommonJS, type-checked strictly, and checked for koffi. All projects are prepared in
// parallel in beforeAll; each test reads its package's outcome.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfs } from '@tincan/testkit';
import {
  installConsumer, pack, packedFiles, packedManifest, probe, publishedPackages, run, typeCheck, withOwnDependencies,
  type Manifest,
} from './consumer';
import { PUBLISHED } from './published';

const PACKAGES = publishedPackages();
const NAMES = [...PACKAGES.keys()].sort();

interface Outcome {
  dir: string;
  esm: unknown;
  cjs: unknown;
  koffi: boolean;
}

const work = mkdtempSync(join(tmpdir(), 'tincan-packaging-'));
const tarballs = new Map<string, string>();
const manifests = new Map<string, Manifest>();
const files = new Map<string, Set<string>>();
const outcomes = new Map<string, Outcome>();
let typeErrors = '';

/** Where `name`'s consumer project is (one directory level, so that diagnostics name it). */
function consumerDir(name: string): string {
  return join(work, 'consumers', name.replace('/', '+'));
}

/** Install `name` alone (with the packages of ours it declares) and try it. */
async function tryAlone(name: string): Promise<Outcome> {
  const expectation = PUBLISHED[name];
  if (expectation === undefined) throw new Error(`${name} is published but has no entry in published.ts`);
  const dir = consumerDir(name);
  const own = withOwnDependencies(name, manifests);
  await installConsumer(dir, Object.fromEntries(own.map((n) => [n, tarballs.get(n) as string])), { name, ...expectation });
  return {
    dir,
    esm: await probe(dir, 'esm'),
    cjs: await probe(dir, 'cjs'),
    koffi: existsSync(join(dir, 'node_modules', 'koffi')),
  };
}

beforeAll(async () => {
  const dest = join(work, 'tarballs');
  mkdirSync(dest);
  // one at a time: each pack finds its tarball as the one new file in `dest`
  for (const name of NAMES) tarballs.set(name, await pack(PACKAGES.get(name) as string, dest));
  for (const name of NAMES) {
    manifests.set(name, await packedManifest(tarballs.get(name) as string));
    files.set(name, await packedFiles(tarballs.get(name) as string));
  }
  const tried = await Promise.all(NAMES.map(async (name) => [name, await tryAlone(name)] as const));
  for (const [name, outcome] of tried) outcomes.set(name, outcome);
  typeErrors = await typeCheck(work, NAMES.map(consumerDir));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

it('every published package says what it must do alone (published.ts), and nothing else is listed there', () => {
  expect(NAMES).toEqual(Object.keys(PUBLISHED).sort());
});

it('type-checks as a whole: no diagnostic outside the packages either', () => {
  expect(typeErrors).toBe('');
});

it('all name the same repository', () => {
  const urls = new Set(NAMES.map((name) => (manifests.get(name)?.repository as { url?: string } | undefined)?.url));
  expect(urls.size).toBe(1);
});

describe.each(Object.keys(PUBLISHED).sort())('%s', (name) => {
  const expectation = PUBLISHED[name];
  const manifest = (): Manifest => manifests.get(name) as Manifest;
  const outcome = (): Outcome => outcomes.get(name) as Outcome;

  it('is packed with publishable dependencies: real versions, our published packages, nothing private', () => {
    const text = JSON.stringify(manifest());
    expect(text).not.toContain('workspace:');
    for (const field of ['dependencies', 'peerDependencies'] as const) {
      const deps = (manifest()[field] ?? {}) as Record<string, string>;
      for (const [dep, range] of Object.entries(deps)) {
        expect([dep, range]).toEqual([dep, expect.stringMatching(/^\^?\d+\.\d+\.\d+$/)]);
        if (dep.startsWith('@tincan/')) expect([dep, PACKAGES.has(dep)]).toEqual([dep, true]);
      }
    }
  });

  it('has the publishing fields (license, repository, engines, publishConfig, files) and the license text', () => {
    expect(files.get(name)?.has('LICENSE')).toBe(true);
    const m = manifest();
    expect(m).toMatchObject({
      license: 'Apache-2.0',
      repository: { type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/), directory: PACKAGES.get(name) },
      engines: { node: '>=20' },
      publishConfig: { access: 'public' },
      files: expect.arrayContaining(['dist']),
    });
  });

  it("exports types first for both import and require, and ships every file its manifest names", () => {
    const m = manifest() as Manifest & { exports: Record<string, unknown>; main: string; module: string; types: string };
    const dot = m.exports['.'] as Record<string, Record<string, string>>;
    expect(Object.keys(dot)).toEqual(['import', 'require']);
    for (const condition of ['import', 'require'] as const) expect(Object.keys(dot[condition] ?? {})).toEqual(['types', 'default']);
    const named = [m.main, m.module, m.types, ...Object.values(dot).flatMap((c) => Object.values(c))];
    for (const file of named) expect([file, files.get(name)?.has(file.replace(/^\.\//, ''))]).toEqual([file, true]);
  });

  it('installs alone and works as an ES module and as CommonJS', () => {
    expect(outcome().esm).toEqual(expectation?.gives);
    expect(outcome().cjs).toEqual(expectation?.gives);
  });

  it('type-checks under strict, as an ES module and as CommonJS', () => {
    const mine = typeErrors.split('\n').filter((line) => line.includes(`${name.replace('/', '+')}/`));
    expect(mine).toEqual([]);
  });

  it(expectation?.koffi === false ? 'brings no koffi (it needs no native addon)' : `brings koffi: ${expectation?.koffi}`, () => {
    expect(outcome().koffi).toBe(expectation?.koffi !== false);
  });
});

describe('@tincan/runtime installed from its tarball', () => {
  const dir = (): string => (outcomes.get('@tincan/runtime') as Outcome).dir;

  it('runs a container through its `tincan` bin', async () => {
    const root = busyboxRootfs();
    try {
      const out = await run(join(dir(), 'node_modules', '.bin', 'tincan'), ['run', '--hostname', 'packed', root, '--', 'hostname'], dir());
      expect(out).toBe('packed\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("serves @tincan/namespaces' optional @tincan/libc to ES module code, with libc's SyscallErrors recognised", async () => {
    const script = `
      import { namespaceFileType } from '@tincan/namespaces';
      let refused;
      try { namespaceFileType('/etc/hostname'); } catch (e) { refused = e.message; }
      process.stdout.write(JSON.stringify([namespaceFileType('/proc/self/ns/net'), refused]));`;
    const out = await run(process.execPath, ['--input-type=module', '-e', script], dir());
    expect(JSON.parse(out)).toEqual(['net', 'not a namespace file: /etc/hostname (ENOTTY)']);
  });
});
