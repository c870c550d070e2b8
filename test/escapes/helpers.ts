// Shared pieces of the escape suite: scratch dirs, host markers, parallel CLI runs, loop devices,
// tarballs with hand-made entries, a pseudo-terminal, tree snapshots, --userns auto claims, and the
// "nothing left behind" check. The CLI itself, hostTraces() and the fixture paths come from e2e.
import { execFileSync, spawn, spawnSync, type StdioOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { hostTraces, ROOTFS, ROOTFS_TAR, TINCAN, type CliResult } from '../e2e/helpers';

export const rand = (): string => randomBytes(4).toString('hex');

/** A fresh directory under /tmp, mode 0755 so that a user-namespaced container's root can traverse it. */
export function scratch(prefix = 'tincan-escape-'): string {
  const dir = mkdtempSync(join('/tmp', prefix));
  chmodSync(dir, 0o755);
  return dir;
}

export function removeScratch(...dirs: (string | undefined)[]): void {
  for (const d of dirs) if (d) rmSync(d, { recursive: true, force: true });
}

/** A host file a container must never read: /tmp/tincan-escape-XXXX/marker with unique content. */
export interface HostMarker {
  dir: string;
  file: string;
  content: string;
}

export function hostMarker(): HostMarker {
  const dir = scratch();
  const file = join(dir, 'marker');
  const content = `host-marker-${rand()}`;
  writeFileSync(file, `${content}\n`);
  return { dir, file, content };
}

/** A private copy of the fixture rootfs (cp -a: owners, modes and symlinks kept). */
export function copyRootfs(dest: string): string {
  execFileSync('cp', ['-a', ROOTFS, dest]);
  return dest;
}

/** Single-quote for sh. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface CliOptions {
  stdio?: StdioOptions;
  input?: string;
  /** Run the CLI under this umask (through sh). */
  umask?: string;
  timeoutMs?: number;
}

/** Run the CLI to completion, with control over its stdio and umask (e2e's tincan() has neither). */
export function cli(args: string[], options: CliOptions = {}): CliResult {
  const [file, argv] = options.umask
    ? ['sh', ['-c', `umask ${options.umask}; exec "$0" "$@"`, process.execPath, TINCAN, ...args]]
    : [process.execPath, [TINCAN, ...args]];
  const r = spawnSync(file, argv as string[], {
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    ...(options.stdio ? { stdio: options.stdio } : { input: options.input ?? '' }),
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Run the CLI in the background and resolve with its result (stdin /dev/null). */
export function cliAsync(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [TINCAN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Many CLI runs, `concurrency` at a time, results in order. */
export async function cliMany(runs: string[][], concurrency = 8): Promise<CliResult[]> {
  const results: CliResult[] = new Array(runs.length);
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const i = next++;
      results[i] = await cliAsync(runs[i] as string[]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
  return results;
}

/** No state dir, cgroup or mount of any container remains (mounts of `paths` included). */
export function expectClean(...paths: (string | undefined)[]): void {
  const traces = hostTraces();
  const extra = paths.filter((p): p is string => !!p);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => extra.some((p) => l.includes(p)));
  expect({ ...traces, mounts: [...traces.mounts, ...mounts] }).toEqual({ stateDirs: [], cgroups: [], mounts: [] });
}

export function statusField(out: string, field: string): string | undefined {
  return new RegExp(`^${field}:\\s*(\\S+)`, 'm').exec(out)?.[1];
}

export const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** major:minor of a host device node, or the fallback when the host has none. */
export function hostDevice(path: string, fallback: [number, number]): [number, number] {
  try {
    const rdev = lstatSync(path).rdev;
    return [Number((BigInt(rdev) >> 8n) & 0xfffn), Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn))];
  } catch {
    return fallback;
  }
}

/** A loop device on the host backed by a 1 MiB temp file that starts with `content`; detach() removes both. */
export interface LoopDevice {
  dev: string;
  major: number;
  minor: number;
  backing: string;
  detach(): void;
}

export function loopDevice(dir: string, content: string): LoopDevice {
  const backing = join(dir, 'loop-backing.img');
  const data = Buffer.alloc(1 << 20);
  data.write(content);
  writeFileSync(backing, data);
  const dev = execFileSync('losetup', ['--find', '--show', backing], { encoding: 'utf8' }).trim();
  const [major, minor] = hostDevice(dev, [7, 0]);
  return {
    dev,
    major,
    minor,
    backing,
    detach: () => {
      try {
        execFileSync('losetup', ['--detach', dev]);
      } finally {
        rmSync(backing, { force: true });
      }
    },
  };
}

/** One member of a hand-made tarball: anything GNU tar would refuse to create (../ names, absolute link targets). */
export interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block';
  content?: string;
  linkname?: string;
  mode?: number;
  major?: number;
  minor?: number;
}

const TYPEFLAG: Record<TarEntry['type'], string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5' };

function tarHeader(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  const oct = (off: number, len: number, n: number) => h.write(`${n.toString(8).padStart(len - 1, '0')}\0`, off, len, 'latin1');
  if (Buffer.byteLength(e.name) > 100 || Buffer.byteLength(e.linkname ?? '') > 100) throw new Error(`tar name too long: ${e.name}`);
  h.write(e.name, 0, 100, 'utf8');
  oct(100, 8, e.mode ?? (e.type === 'dir' ? 0o755 : 0o644));
  oct(108, 8, 0);
  oct(116, 8, 0);
  oct(124, 12, size);
  oct(136, 12, Math.floor(Date.now() / 1000));
  h.fill(' ', 148, 156);
  h.write(TYPEFLAG[e.type], 156, 1, 'latin1');
  h.write(e.linkname ?? '', 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'latin1');
  h.write('00', 263, 2, 'latin1');
  oct(329, 8, e.major ?? 0);
  oct(337, 8, e.minor ?? 0);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return h;
}

/** Offset of the end-of-archive marker of a tar: past the last member. */
function tarEnd(tar: Buffer): number {
  let off = 0;
  while (off + 512 <= tar.length && tar.subarray(off, off + 512).some((b) => b !== 0)) {
    const size = parseInt(tar.subarray(off + 124, off + 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return off;
}

/** The fixture rootfs tarball with `entries` appended, gzipped, written to `path`. */
export function rootfsTarWith(path: string, entries: TarEntry[]): string {
  const base = gunzipSync(readFileSync(ROOTFS_TAR));
  const parts: Buffer[] = [base.subarray(0, tarEnd(base))];
  for (const e of entries) {
    const body = Buffer.from(e.type === 'file' ? (e.content ?? '') : '');
    parts.push(tarHeader(e, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  writeFileSync(path, gzipSync(Buffer.concat(parts)));
  return path;
}

/**
 * Run a shell command line under a new pseudo-terminal (util-linux script(1)); resolves with what the
 * terminal showed (CR removed). script's stdin stays open until it exits: at EOF it would type an EOF
 * into the terminal, which would end any read there before injected input could be seen.
 */
export function underPty(command: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      child.stdin.end();
      resolve(out.replace(/\r/g, ''));
    });
  });
}

/** Every entry under `dir` (relative path → owner, mode, size, mtime, inode), not following symlinks. */
export interface FileFacts {
  uid: number;
  gid: number;
  mode: number;
  size: number;
  mtimeMs: number;
  ino: number;
}

export function snapshotTree(dir: string): Map<string, FileFacts> {
  const out = new Map<string, FileFacts>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, p));
      out.set(p, { uid: st.uid, gid: st.gid, mode: st.mode, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
}

/** Entries that are new or changed between two snapshots. */
export function changedEntries(before: Map<string, FileFacts>, after: Map<string, FileFacts>): [string, FileFacts][] {
  return [...after].filter(([p, f]) => {
    const b = before.get(p);
    return !b || b.uid !== f.uid || b.mode !== f.mode || b.size !== f.size || b.mtimeMs !== f.mtimeMs || b.ino !== f.ino;
  });
}

/** The --userns auto registry of claimed host id ranges (see packages/namespaces/src/userns-auto.ts). */
const USERNS_STATE = '/run/tincan/userns';

export interface IdClaim {
  uid: number;
  gid: number;
  size: number;
}

export function idClaims(): IdClaim[] {
  try {
    return JSON.parse(readFileSync(`${USERNS_STATE}/ranges.json`, 'utf8')) as IdClaim[];
  } catch {
    return [];
  }
}

/** Give back a claim a test's killed runtime left in the registry (through the runtime's own locked release). */
export function releaseIdClaim(claim: IdClaim): void {
  // the test package depends on tincan, not on @tincan/namespaces: resolve it from tincan's own dependencies
  const ns = require(require.resolve('@tincan/namespaces', { paths: [require.resolve('@tincan/runtime')] })) as {
    releaseAutoIdMap(a: { uidMap: object[]; gidMap: object[]; stateDir: string }): void;
  };
  ns.releaseAutoIdMap({
    uidMap: [{ containerId: 0, hostId: claim.uid, size: claim.size }],
    gidMap: [{ containerId: 0, hostId: claim.gid, size: claim.size }],
    stateDir: USERNS_STATE,
  });
}
