// Bad input through the CLI's image commands: every failure is exit 125 with one bounded line naming the
// input; a bug is reported as an internal error, never as JavaScript's own text; --data-dir is an
// absolute path or refused; and a seeded fuzz of the image commands' flags finds none of these broken.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { prng } from '@tincan/testkit';
import { REPO, ROOTFS, TINCAN } from './helpers';

const work = mkdtempSync(join(tmpdir(), 'tincan-e2e-bad-input-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The CLI run in `cwd` (so that a relative path would land there). */
function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [TINCAN, ...args], { encoding: 'utf8', cwd: opts.cwd ?? work, env: { ...process.env, ...opts.env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every stderr line (errors, progress, warnings) is free of control characters and raw JavaScript errors, and bounded. */
function expectOneLineErrors(stderr: string): void {
  for (const line of stderr.split('\n').filter(Boolean)) {
    expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(line.length).toBeLessThanOrEqual(2100);
    expect(line).not.toMatch(/internal error|is not a function|Cannot read properties|Maximum call stack|RangeError|TypeError|URI malformed/);
  }
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-layer OCI layout (tag "1") whose config's `config` section is `config`. */
function layout(dir: string, config: Record<string, unknown>): string {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const blob = (mediaType: string, bytes: Buffer) => {
    writeFileSync(join(dir, 'blobs', 'sha256', sha256(bytes).slice(7)), bytes);
    return { mediaType, digest: sha256(bytes), size: bytes.length };
  };
  const tar = Buffer.alloc(1024);
  const layer = blob('application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(tar));
  const architecture = process.arch === 'x64' ? 'amd64' : process.arch;
  const cfg = blob('application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify({ architecture, os: 'linux', config, rootfs: { type: 'layers', diff_ids: [sha256(tar)] } })));
  const manifest = blob('application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers: [layer] })));
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': '1' } }] }));
  return dir;
}

describe('--data-dir', () => {
  it.each([
    ['images', ['images']],
    ['prune', ['prune']],
    ['run', ['run', '--cgroups', 'off', '/nonexistent-rootfs', 'true']],
  ])('"" is refused by %s, not taken as the default store', (_name, args) => {
    const r = cli([args[0] as string, '--data-dir', '', ...args.slice(1)]);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('tincan: --data-dir "" (or TINCAN_DATA_DIR): want an absolute directory path\n');
  });

  it('a relative path is refused, and no store appears in the current directory', () => {
    const cwd = join(work, 'cwd');
    mkdirSync(cwd);
    const r = cli(['import', 'oci:/nonexistent', '--data-dir', 'store'], { cwd });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('tincan: --data-dir "store" (or TINCAN_DATA_DIR): want an absolute directory path\n');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a missing store: rmi says there is no such image, prune removes nothing, and neither creates it', () => {
    const missing = join(work, 'missing', 'store');
    const rmi = cli(['rmi', 'alpine', '--data-dir', missing]);
    expect([rmi.code, rmi.stderr]).toEqual([125, 'tincan: image alpine: no such image in the store\n']);
    const prune = cli(['prune', '--data-dir', missing]);
    expect([prune.code, prune.stdout]).toEqual([0, 'removed 0 blobs, 0 layers, 0 B\n']);
    expect(existsSync(join(work, 'missing'))).toBe(false);
  });

  it('a store path through a file names the path and the errno', () => {
    writeFileSync(join(work, 'a-file'), '');
    const r = cli(['rmi', 'alpine', '--data-dir', join(work, 'a-file', 'store')]);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`tincan: path ${join(work, 'a-file', 'store', 'images.json')}: cannot read the image records (ENOTDIR)\n`);
  });
});

describe('a bad image is refused at import, on one line, and nothing is stored', () => {
  it.each([
    ['a wrong-typed User', { User: 1 }, 'image config: config.User must be string (found 1)'],
    ['Cmd: [1, null, {}]', { Cmd: [1, null, {}] }, 'image config: config.Cmd[0] must be string (found 1)'],
    ['a relative WorkingDir', { WorkingDir: '../../../etc' }, 'image config: config.WorkingDir must match pattern'],
  ])('%s', (_what, config, expected) => {
    const dir = layout(join(work, `layout-${Object.keys(config)[0]}`), config);
    const data = join(work, `data-${Object.keys(config)[0]}`);
    const r = cli(['import', `oci:${dir}:1`, '--data-dir', data]);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(expected);
    expectOneLineErrors(r.stderr);
    expect(readdirSync(join(data, 'blobs', 'sha256'))).toEqual([]);
    expect(existsSync(join(data, 'images.json'))).toBe(false);
  });
});

describe('run flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tincan-bad-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...flags: string[]) => spawnSync(process.execPath, [TINCAN, 'run', ...flags, ROOTFS, 'true'], { encoding: 'utf8' });

  it('a seccomp profile error names the file and the field, on one bounded line, even for hostile nesting', () => {
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 5 }] }));
    const r = run('--security-opt', `seccomp=${wrong}`);
    expect(r.status).toBe(125);
    expect(r.stderr).toBe(`tincan: seccomp profile ${wrong}: syscalls[0].action: must be a string, got 5\n`);
    const deep = join(dir, 'deep.json');
    writeFileSync(deep, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const d = run('--security-opt', `seccomp=${deep}`);
    expect(d.status).toBe(125);
    expect(d.stderr).toMatch(new RegExp(`^tincan: seccomp profile ${deep}: syscalls\\[0\\]: must be an object, got an array of 1\\n$`));
    const huge = join(dir, 'huge.json');
    writeFileSync(huge, JSON.stringify({ defaultAction: `x\n${'y'.repeat(1_000_000)}` }));
    const h = run('--security-opt', `seccomp=${huge}`);
    expect(h.status).toBe(125);
    expect(h.stderr.split('\n')).toHaveLength(2);
    expect(h.stderr.length).toBeLessThan(1000);
    expect(run('--security-opt', `seccomp=${join(dir, 'missing.json')}`).stderr).toBe(`tincan: seccomp profile ${join(dir, 'missing.json')}: ENOENT\n`);
  });

  it('an environment variable name with a tab is refused, naming it escaped', () => {
    const r = run('-e', 'A\tB=1');
    expect(r.status).toBe(125);
    expect(r.stderr).toBe('tincan: --env "A\\tB": a variable name cannot hold blanks or control characters\n');
  });

  it('--tmpfs over the root is refused', () => {
    expect(run('--tmpfs', '/').stderr).toMatch(/^tincan: --tmpfs "\/": cannot replace the root/);
  });
});

describe('the last-resort handler', () => {
  // a bug planted where `tincan images` reads the store: readFile throws what only a bug would
  const script = `
    const fsp = require('node:fs/promises');
    const readFile = fsp.readFile;
    fsp.readFile = (path, ...rest) => String(path).endsWith('images.json') ? Promise.reject(new TypeError('t.trim is not a function')) : readFile(path, ...rest);
    require(${JSON.stringify(join(REPO, 'apps/tincan/dist/cli.js'))}).main(['node', 'tincan', 'images', '--data-dir', process.argv[1]]);`;

  it('reports a bug as an internal error with a hint, never as JavaScript\'s own text', () => {
    const r = spawnSync(process.execPath, ['-e', script, join(work, 'data-bug')], { encoding: 'utf8', env: { ...process.env, TINCAN_DEBUG: '' } });
    expect(r.status).toBe(125);
    expect(r.stderr).toBe(
      'tincan: internal error (TypeError): this is a bug in tincan; please report it with the command that failed and the output of the same command run with TINCAN_DEBUG=1\n',
    );
  });

  it('prints the stack with TINCAN_DEBUG=1', () => {
    const r = spawnSync(process.execPath, ['-e', script, join(work, 'data-bug')], { encoding: 'utf8', env: { ...process.env, TINCAN_DEBUG: '1' } });
    expect(r.stderr).toMatch(/^TypeError: t\.trim is not a function\n {4}at /);
  });
});


describe('fuzzing the image commands\' flags and arguments', () => {
  const runs = Number(process.env.FUZZ_RUNS ?? 16);
  const random = prng(Number(process.env.FUZZ_SEED ?? 20_130_613));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const sandbox = join(work, 'fuzz');
  const good = layout(join(sandbox, 'good'), { Cmd: ['sh'] });
  const odd = ['', '-', '--', ' ', 'x\ny', '\u001b[2J', 'a'.repeat(5000), '../..', '/', 'sha256:', `sha256:${'0'.repeat(64)}`, 'UPPER/case:tag', 'a:b:c', '@', 'x@sha256:00'];
  // sources that never reach a registry: transports and paths only
  const sources = (): string => pick([`oci:${good}:1`, `oci:${good}`, `oci:${good}:${pick(odd)}`, `oci:${pick(odd)}`, `oci-archive:${join(sandbox, pick(odd))}`, `docker-archive:${good}`, join(sandbox, pick(odd)), `oci:${good}@${pick(odd)}`]);
  const dataDirs = (): string => pick([join(sandbox, 'data'), join(sandbox, 'data-2'), '', 'relative', join(good, 'oci-layout', 'store')]);
  const commands: (() => string[])[] = [
    () => ['images'],
    () => ['inspect', pick([...odd, 'docker.io/library/x:1'])],
    () => ['rmi', pick(odd), ...(random() < 0.5 ? [pick(odd)] : [])],
    () => ['prune'],
    () => ['import', sources(), ...(random() < 0.5 ? [pick([...odd, 'test/x:1'])] : [])],
    () => ['unpack', sources(), join(sandbox, 'bundle', String(Math.floor(random() * 3)))],
  ];

  it(`${runs} runs: exit 0 or 125, errors on bounded lines, nothing written outside the sandbox`, () => {
    const before = readdirSync(work).sort();
    for (let i = 0; i < runs; i++) {
      const args = [...pick(commands)(), '--data-dir', dataDirs(), ...(random() < 0.3 ? ['-q'] : [])];
      const r = cli(args, { cwd: sandbox });
      if (r.code !== 0 && r.code !== 125) throw new Error(`tincan ${JSON.stringify(args).slice(0, 300)} exited ${r.code}: ${r.stderr.slice(0, 1000)}`);
      expectOneLineErrors(r.stderr);
      // a failure says so on the last line, as tincan
      if (r.code === 125) expect(r.stderr.trimEnd().split('\n').pop()).toMatch(/^(tincan: |\(tincan )/);
    }
    expect(readdirSync(work).sort()).toEqual(before);
    expect(readdirSync(sandbox).filter((n) => !['good', 'data', 'data-2', 'bundle'].includes(n))).toEqual([]);
  }, 300_000);
});
