import { mkdir, readFile, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageDefaults } from './config/defaults';
import { type ResolvedUser, resolveUser } from './config/users';
import { ImageError } from './errors';
import { quote } from './text';
import type { StorePaths } from './store/paths';

/** A container's root filesystem, ready for the runtime to mount (nothing is mounted here). */
export interface PreparedRootfs {
  kind: 'directory' | 'overlay';
  /** overlay: cached layer dirs, topmost first (overlayfs lowerdir order); directory: [path]. */
  lowerDirs: string[];
  /** overlay and not readOnly: fresh per container under <root>/containers/<id>/. */
  upperDir?: string;
  workDir?: string;
  defaults: ImageDefaults;
  /** `name`, `uid`, `name:group`, `uid:gid` → ids, via the image's /etc/passwd and /etc/group. */
  resolveUser(spec: string): Promise<ResolvedUser>;
  /** Remove the per-container dirs; idempotent. */
  release(): Promise<void>;
}

/** What containers/<id>/rootfs.json records: prune keeps every layer a live container names. */
export interface ContainerRecord {
  source: string;
  image?: string;
  lowerDirs: string[];
}

const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function assertContainerId(id: string): void {
  if (!CONTAINER_ID.test(id)) throw new ImageError(`invalid container id ${quote(id)} (letters, digits, _ . -; at most 128)`, { entry: id });
}

/** A plain rootfs directory, used in place (no copy, no per-container state). */
export function directoryRootfs(path: string, reference: string): PreparedRootfs {
  return {
    kind: 'directory',
    lowerDirs: [path],
    defaults: {},
    resolveUser: (spec) => resolveUser(spec, [path], reference),
    release: async () => {},
  };
}

/**
 * Overlay lowers plus, unless readOnly, a fresh upper and work dir under containers/<id>/; the
 * container dir also records the lowers so prune leaves them alone while the container lives.
 */
export async function overlayRootfs(
  paths: StorePaths,
  containerId: string,
  record: ContainerRecord,
  defaults: ImageDefaults,
  readOnly: boolean,
): Promise<PreparedRootfs> {
  const dir = paths.container(containerId);
  try {
    await mkdir(dir, { mode: 0o755 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    throw new ImageError(`container ${containerId} already has a prepared rootfs (release it first)`, { reference: record.source, path: dir });
  }
  const writable = readOnly ? {} : { upperDir: join(dir, 'upper'), workDir: join(dir, 'work') };
  await Promise.all([
    // written in place, without fsync or rename: the dir is new and ours, prune (the only reader) waits for
    // the store lock we hold, and a file torn by a crash belongs to a container that is no longer running
    writeFile(join(dir, 'rootfs.json'), JSON.stringify(record), { flag: 'wx', mode: 0o644 }),
    writable.upperDir && mkdir(writable.upperDir, { mode: 0o755 }),
    writable.workDir && mkdir(writable.workDir, { mode: 0o700 }),
  ]);
  return {
    kind: 'overlay',
    lowerDirs: record.lowerDirs,
    ...writable,
    defaults,
    resolveUser: (spec) => resolveUser(spec, record.lowerDirs, record.source),
    release: () => removeContainerDir(dir),
  };
}

/**
 * Remove containers/<id>. Usually it is as prepared (rootfs.json, an empty upper, work/work from
 * overlayfs), which 5 syscalls remove, against about 20 for rm -r's walk (stat, failed rmdir,
 * readdir, ...). Anything else (files the container wrote, a read-only container, a second release)
 * goes through rm -r.
 */
async function removeContainerDir(dir: string): Promise<void> {
  if (!(await removePreparedTree(dir))) await rm(dir, { recursive: true, force: true });
}

/** True when `dir` held just the prepared tree and is gone now. */
async function removePreparedTree(dir: string): Promise<boolean> {
  const done = (p: Promise<void>): Promise<boolean> => p.then(() => true, () => false);
  const leaves = await Promise.all([done(unlink(join(dir, 'rootfs.json'))), done(rmdir(join(dir, 'upper'))), done(rmdir(join(dir, 'work', 'work')))]);
  return leaves.every(Boolean) && (await done(rmdir(join(dir, 'work')))) && done(rmdir(dir));
}

/** The lower dirs every prepared container still names (for prune). */
export async function containerLowerDirs(paths: StorePaths, ids: string[]): Promise<Set<string>> {
  const lowers = new Set<string>();
  for (const id of ids) {
    const record = await readFile(join(paths.container(id), 'rootfs.json'), 'utf8').then(parseContainerRecord, () => undefined);
    for (const l of record?.lowerDirs ?? []) lowers.add(l);
  }
  return lowers;
}

/** A record torn by a crash (written in place) names nothing: its container stopped running with the writer. */
function parseContainerRecord(text: string): ContainerRecord | undefined {
  try {
    return JSON.parse(text) as ContainerRecord;
  } catch {
    return undefined;
  }
}
