import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageDefaults } from './config/defaults';
import { type ResolvedUser, resolveUser } from './config/users';
import { ImageError } from './errors';
import type { StorePaths } from './store/paths';
import { writeFileAtomic } from './store/records';

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
  if (!CONTAINER_ID.test(id)) throw new ImageError(`invalid container id "${id}" (letters, digits, _ . -; at most 128)`, { entry: id });
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
  await writeFileAtomic(join(dir, 'rootfs.json'), JSON.stringify(record));
  const writable = readOnly ? {} : { upperDir: join(dir, 'upper'), workDir: join(dir, 'work') };
  if (writable.upperDir) await mkdir(writable.upperDir, { mode: 0o755 });
  if (writable.workDir) await mkdir(writable.workDir, { mode: 0o700 });
  return {
    kind: 'overlay',
    lowerDirs: record.lowerDirs,
    ...writable,
    defaults,
    resolveUser: (spec) => resolveUser(spec, record.lowerDirs, record.source),
    release: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The lower dirs every prepared container still names (for prune). */
export async function containerLowerDirs(paths: StorePaths, ids: string[]): Promise<Set<string>> {
  const lowers = new Set<string>();
  for (const id of ids) {
    const text = await readFile(join(paths.container(id), 'rootfs.json'), 'utf8').catch(() => undefined);
    if (text) for (const l of (JSON.parse(text) as ContainerRecord).lowerDirs) lowers.add(l);
  }
  return lowers;
}
