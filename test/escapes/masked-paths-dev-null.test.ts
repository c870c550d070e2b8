// Class 2 (CVE-2025-31133, runc maskedPaths): the runtime hides /proc/keys, /proc/kcore, ... by
// bind-mounting the container's /dev/null over them. When /dev/null is not the real device (a volume
// over /dev, or an image whose /dev is a symlink into a volume) the "mask" is whatever that path names:
// a symlink to /proc/sys/kernel/core_pattern puts the host's writable core_pattern at /proc/keys,
// outside the read-only /proc/sys. Harmless checks only: read the masked paths, open them for writing
// without writing (O_WRONLY, no O_TRUNC) and compare the host's core_pattern before and after.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOTFS } from '../e2e/helpers';
import { cli, copyRootfs, expectClean, rand, removeScratch, scratch } from './helpers';

const CORE_PATTERN = '/proc/sys/kernel/core_pattern';
/** docker's masked files that this kernel has (directories are masked with a tmpfs, not /dev/null). */
const MASKED_FILES = ['/proc/keys', '/proc/kcore', '/proc/timer_list', '/proc/latency_stats', '/proc/sched_debug', '/proc/timer_stats'].filter(
  (p) => existsSync(p) && statSync(p).isFile(),
);

/**
 * Per masked file: what reading it gave and what opening it for writing gave ("ok chr 1:3", "EACCES").
 * Only probe does the I/O: a shell redirection to /dev/null would itself open the planted file.
 */
function inspectMasks(flags: string[], rootfs = ROOTFS) {
  const script = MASKED_FILES.map((p) => `probe read ${p}; probe open ${p} w`).join('; ');
  const r = cli(['run', ...flags, rootfs, 'sh', '-c', script]);
  const files = MASKED_FILES.map((path) => {
    const read = new RegExp(`^read ${path}: (.*)$`, 'm').exec(r.stdout)?.[1];
    const open = new RegExp(`^open ${path}: (.*)$`, 'm').exec(r.stdout)?.[1];
    // "ok \"...\"" → the bytes read; an errno → nothing was read
    const content = read?.startsWith('ok ') ? (JSON.parse(read.slice(3).replace(/\\x([0-9a-f]{2})/g, '\\u00$1')) as string) : '';
    return { path, ran: read !== undefined && open !== undefined, content, openForWrite: open ?? '' };
  });
  return { ...r, files };
}

/**
 * The class is contained when the container was refused (exit 125, nothing ran) or when every masked
 * file reads empty and is neither the host file nor writable (the real /dev/null as a sink is fine).
 */
function expectMasked(result: ReturnType<typeof inspectMasks>, forbidden: string[]) {
  if (result.code === 125 && result.files.every((f) => !f.ran)) return expect(result.stderr).toMatch(/\S/);
  expect(result.code).toBe(0);
  expect(result.files.filter((f) => !f.ran).map((f) => f.path)).toEqual([]);
  // reads empty; opening for writing fails or lands on the null device (char 1:3), never on a file
  const exposed = result.files
    .filter((f) => f.content !== '' || forbidden.some((t) => f.content.includes(t)) || !/^(E[A-Z0-9]+|ok chr 1:3)$/.test(f.openForWrite))
    .map((f) => `${f.path}: reads ${JSON.stringify(f.content.slice(0, 80))}, open for writing: ${f.openForWrite}`);
  expect(exposed).toEqual([]);
}

describe('escape class 2: masked paths bound from a swapped /dev/null (CVE-2025-31133)', () => {
  const hostCorePattern = readFileSync(CORE_PATTERN, 'utf8');
  let base: string;

  beforeAll(() => {
    expect(MASKED_FILES).toContain('/proc/keys');
    base = scratch();
  });
  afterAll(() => {
    removeScratch(base);
    // never written by these tests; a changed value means a container wrote it
    expect(readFileSync(CORE_PATTERN, 'utf8')).toBe(hostCorePattern);
  });
  afterEach(() => expectClean(base));

  it('masks with the real null device by default', () => {
    expectMasked(inspectMasks([]), [hostCorePattern.trim()]);
  });

  it('-v DIR:/dev where DIR/null is a symlink to /proc/sys/kernel/core_pattern does not expose core_pattern', () => {
    const dir = join(base, 'dev-symlink');
    mkdirSync(dir);
    symlinkSync(CORE_PATTERN, join(dir, 'null'));
    expectMasked(inspectMasks(['-v', `${dir}:/dev`]), [hostCorePattern.trim()]);
  });

  it('an image whose /dev is a symlink into a volume with such a null does not expose core_pattern', () => {
    const rootfs = copyRootfs(join(base, 'dev-into-volume'));
    rmSync(join(rootfs, 'dev'), { recursive: true });
    symlinkSync('/data/dev', join(rootfs, 'dev'));
    const vol = join(base, 'dev-volume');
    mkdirSync(join(vol, 'dev'), { recursive: true });
    symlinkSync(CORE_PATTERN, join(vol, 'dev', 'null'));
    expectMasked(inspectMasks(['-v', `${vol}:/data`], rootfs), [hostCorePattern.trim()]);
  });

  it('a regular file as /dev/null does not become the masked paths', () => {
    const dir = join(base, 'dev-regular');
    mkdirSync(dir);
    const planted = `planted-null-${rand()}`;
    writeFileSync(join(dir, 'null'), `${planted}\n`);
    expectMasked(inspectMasks(['-v', `${dir}:/dev`]), [planted]);
    expect(readFileSync(join(dir, 'null'), 'utf8')).toBe(`${planted}\n`);
  });

  it('a /dev/null symlink to a host file the caller bound read-only does not become the masked paths', () => {
    const dir = join(base, 'dev-to-secret');
    mkdirSync(dir);
    const secretFile = join(base, 'secret');
    const secret = `host-secret-${rand()}`;
    writeFileSync(secretFile, `${secret}\n`);
    // bound over a file the image has (no new file in the shared fixture)
    symlinkSync('/etc/fixture-release', join(dir, 'null'));
    expectMasked(inspectMasks(['-v', `${dir}:/dev`, '-v', `${secretFile}:/etc/fixture-release:ro`]), [secret]);
    expect(readFileSync(secretFile, 'utf8')).toBe(`${secret}\n`);
  });

  it('keeps /proc/sys read-only (core_pattern cannot be opened for writing)', () => {
    const dir = join(base, 'dev-for-sysctl');
    mkdirSync(dir);
    symlinkSync(CORE_PATTERN, join(dir, 'null'));
    for (const flags of [[], ['-v', `${dir}:/dev`]]) {
      const r = cli(['run', ...flags, ROOTFS, 'probe', 'open', CORE_PATTERN, 'w']);
      if (r.code === 125 && r.stdout === '') continue;
      expect(r.stdout).toMatch(/^open \/proc\/sys\/kernel\/core_pattern: E[A-Z]+\n$/);
    }
  });
});
