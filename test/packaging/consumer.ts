import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const REPO = resolve(__dirname, '..', '..');
const TSC = require.resolve('typescript/bin/tsc');
const TYPE_ROOTS = join(REPO, 'node_modules', '@types');

/** The package.json fields this test reads. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

/**
 * The environment of a program in another project: none of pnpm's script variables, and no NODE_PATH
 * (pnpm's bin shims point it at every package of this workspace, which would hide a missing dependency).
 */
const CONSUMER_ENV: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => key !== 'NODE_PATH' && !key.toLowerCase().startsWith('npm_')),
);

/** Run a program; its stdout, or an error carrying its stderr. */
export async function run(file: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(file, args, { cwd, env: CONSUMER_ENV, maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} (in ${cwd}): ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

/** The workspace packages that are published (not private), by name → directory. */
export function publishedPackages(): Map<string, string> {
  const found = new Map<string, string>();
  for (const parent of ['packages', 'apps']) {
    for (const entry of readdirSync(join(REPO, parent))) {
      const file = join(REPO, parent, entry, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
      if (manifest.private !== true) found.set(manifest.name, `${parent}/${entry}`);
    }
  }
  return found;
}

/** `pnpm pack` of a package directory into `dest`; the tarball's path. */
export async function pack(dir: string, dest: string): Promise<string> {
  const before = new Set(readdirSync(dest));
  await run('pnpm', ['pack', '--pack-destination', dest], join(REPO, dir));
  const made = readdirSync(dest).filter((f) => !before.has(f) && f.endsWith('.tgz'));
  if (made.length !== 1) throw new Error(`pnpm pack in ${dir} made ${made.length} tarballs`);
  return join(dest, made[0] as string);
}

/** The package.json inside a tarball, as published. */
export async function packedManifest(tarball: string): Promise<Manifest> {
  return JSON.parse(await run('tar', ['-xzOf', tarball, 'package/package.json'], REPO)) as Manifest;
}

/** The files inside a tarball, relative to the package root. */
export async function packedFiles(tarball: string): Promise<Set<string>> {
  const list = await run('tar', ['-tzf', tarball], REPO);
  return new Set(list.split('\n').filter((l) => l !== '').map((l) => l.replace(/^package\//, '')));
}

/** `name` and the packages of ours it depends on, transitively (peers excluded: optional by design). */
export function withOwnDependencies(name: string, manifests: ReadonlyMap<string, Manifest>): string[] {
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const dep of Object.keys(manifests.get(n)?.dependencies ?? {})) if (manifests.has(dep)) visit(dep);
  };
  visit(name);
  return [...seen];
}

/** What a consumer project holds: its package, a probe of it as ESM and as CJS, and TypeScript using its types. */
export interface ConsumerFiles {
  name: string;
  probe: string;
  types: string;
}

/**
 * A fresh project in `dir` with `tarballs` installed by `npm install` (our packages from their
 * tarballs; third-party dependencies from the registry), an ES module and a CommonJS probe of the package,
 * and the same TypeScript as `check.mts` and `check.cts`, for `typeCheck`.
 */
export async function installConsumer(dir: string, tarballs: Readonly<Record<string, string>>, files: ConsumerFiles): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const dependencies = Object.fromEntries(Object.entries(tarballs).map(([name, tgz]) => [name, `file:${tgz}`]));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies }, null, 2));
  const print = `process.stdout.write(JSON.stringify(${files.probe}));\n`;
  writeFileSync(join(dir, 'probe.mjs'), `import * as fs from 'node:fs';\nimport * as m from '${files.name}';\n${print}`);
  writeFileSync(join(dir, 'probe.cjs'), `const fs = require('node:fs');\nconst m = require('${files.name}');\n${print}`);
  writeFileSync(join(dir, 'check.mts'), `${files.types}\n`);
  writeFileSync(join(dir, 'check.cts'), `${files.types}\n`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir);
}

/** The probe's value in a consumer project, loaded as an ES module or as CommonJS. */
export async function probe(dir: string, as: 'esm' | 'cjs'): Promise<unknown> {
  return JSON.parse(await run(process.execPath, [as === 'esm' ? 'probe.mjs' : 'probe.cjs'], dir)) as unknown;
}

/**
 * tsc under `strict` + `nodenext` over every consumer's check.mts and check.cts, one diagnostic a line
 * with its path relative to `root` (empty when all type-check). One program for all of them: @types/node
 * is checked once. `skipLibCheck` is off, or a .d.ts of ours importing a package that is not installed
 * (an optional peer) would pass unseen.
 */
export async function typeCheck(root: string, dirs: readonly string[]): Promise<string> {
  const compilerOptions = {
    strict: true,
    noEmit: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    skipLibCheck: false,
    types: ['node'],
    typeRoots: [TYPE_ROOTS],
  };
  const files = dirs.flatMap((dir) => [join(dir, 'check.mts'), join(dir, 'check.cts')]);
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }, null, 2));
  try {
    await run(process.execPath, [TSC, '-p', root, '--pretty', 'false'], root);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
