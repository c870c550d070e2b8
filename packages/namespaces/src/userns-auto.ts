import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_EX } from '@tincan/libc-core';
import { IdMapError } from './errors';
import { libc } from './libc';
import type { IdMapping } from './idmap';

/** The default size of a --userns auto map: 65536 ids, like podman. */
export const AUTO_ID_MAP_SIZE = 65536;
/** Without /etc/subuid ranges for the user: host ids 100000 … 100000 + 2^26 - 1. */
const DEFAULT_RANGE: IdRange = { start: 100000, count: 1024 * AUTO_ID_MAP_SIZE };
const REGISTRY = 'ranges.json';
const LOCK = 'ranges.lock';

export interface AutoIdMapOptions {
  /** Ids in the container, mapped from 0 (default 65536). */
  size?: number;
  /** Directory of the registry of allocated ranges (default /run/tincan/userns). */
  stateDir?: string;
  /** The /etc/subuid and /etc/subgid owner whose ranges are used (default 'tincan'). */
  user?: string;
  subuidFile?: string;
  subgidFile?: string;
}

/** An allocated --userns auto range; plain data, so it can be stored with the container and released later. */
export interface AutoIdMap {
  uidMap: IdMapping[];
  gidMap: IdMapping[];
  stateDir: string;
}

interface IdRange {
  start: number;
  count: number;
}
interface SubIdEntry extends IdRange {
  owner: string;
}
/** One line of the registry: the host uid and gid ranges of one container. */
interface Allocation {
  uid: number;
  gid: number;
  size: number;
}

/** Lines 'owner:start:count' of /etc/subuid or /etc/subgid (a missing file has none). */
function readSubIds(file: string): SubIdEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [owner = '', start = '', count = ''] = line.split(':');
      if (!/^\d+$/.test(start) || !/^\d+$/.test(count)) throw new IdMapError(`${file}: bad line ${JSON.stringify(line)}`);
      return { owner, start: Number(start), count: Number(count) };
    });
}

/** Where to allocate, and what to keep clear of: the user's own ranges, else the default range minus other users'. */
function pool(file: string, user: string): { ranges: IdRange[]; avoid: IdRange[] } {
  const entries = readSubIds(file);
  const own = entries.filter((e) => e.owner === user);
  return own.length > 0 ? { ranges: own, avoid: [] } : { ranges: [DEFAULT_RANGE], avoid: entries };
}

/** The lowest start of `size` free ids inside one of `ranges`, clear of every range in `taken`. */
function firstFit(ranges: readonly IdRange[], taken: readonly IdRange[], size: number): number | undefined {
  const sorted = [...taken].sort((a, b) => a.start - b.start);
  for (const range of ranges) {
    let start = range.start;
    for (const t of sorted) {
      if (t.start < start + size && start < t.start + t.count) start = t.start + t.count;
    }
    if (start + size <= range.start + range.count) return start;
  }
  return undefined;
}

function readRegistry(stateDir: string): Allocation[] {
  const file = join(stateDir, REGISTRY);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Allocation[]) : [];
}

/** Replace the registry atomically (write + rename), so a crash mid-write leaves the old one. */
function writeRegistry(stateDir: string, allocations: readonly Allocation[]): void {
  const file = join(stateDir, REGISTRY);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(allocations)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/**
 * Run `update` on the registry under an exclusive flock of a separate lock file (the registry itself
 * is replaced by rename, so a lock on it would be on a stale inode); the kernel drops the lock if we die.
 */
function withRegistry<T>(stateDir: string, update: (allocations: Allocation[]) => T): T {
  const { flock } = libc('locking the auto id map registry (flock(2))');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const fd = openSync(join(stateDir, LOCK), 'a', 0o600);
  try {
    flock(fd, LOCK_EX);
    return update(readRegistry(stateDir));
  } finally {
    closeSync(fd);
  }
}

/**
 * Allocate host ids for `--userns auto`: the lowest free `size` uids and gids in the ranges /etc/subuid
 * and /etc/subgid give `user` (else from host id 100000 on, clear of other users' ranges), mapped from
 * container id 0, and recorded in `<stateDir>/ranges.json` so that concurrent containers never share ids.
 */
export function autoIdMap(options: AutoIdMapOptions = {}): AutoIdMap {
  const size = options.size ?? AUTO_ID_MAP_SIZE;
  const stateDir = options.stateDir ?? '/run/tincan/userns';
  const user = options.user ?? 'tincan';
  if (!Number.isSafeInteger(size) || size <= 0) throw new IdMapError(`auto id map size must be a positive integer: ${size}`);
  const uids = pool(options.subuidFile ?? '/etc/subuid', user);
  const gids = pool(options.subgidFile ?? '/etc/subgid', user);
  return withRegistry(stateDir, (allocations) => {
    const takenBy = (key: 'uid' | 'gid'): IdRange[] => allocations.map((a) => ({ start: a[key], count: a.size }));
    const uid = firstFit(uids.ranges, [...uids.avoid, ...takenBy('uid')], size);
    const gid = firstFit(gids.ranges, [...gids.avoid, ...takenBy('gid')], size);
    if (uid === undefined || gid === undefined) {
      throw new IdMapError(`no ${size} free ${uid === undefined ? 'uids' : 'gids'} for user "${user}" (registry ${join(stateDir, REGISTRY)})`);
    }
    writeRegistry(stateDir, [...allocations, { uid, gid, size }]);
    return {
      uidMap: [{ containerId: 0, hostId: uid, size }],
      gidMap: [{ containerId: 0, hostId: gid, size }],
      stateDir,
    };
  });
}

/** Give back the ids of an allocation (idempotent). */
export function releaseAutoIdMap(allocation: AutoIdMap): void {
  const [uidMap] = allocation.uidMap;
  const [gidMap] = allocation.gidMap;
  if (uidMap === undefined || gidMap === undefined) throw new IdMapError('not an autoIdMap allocation: empty map');
  const same = (a: Allocation): boolean => a.uid === uidMap.hostId && a.gid === gidMap.hostId && a.size === uidMap.size;
  withRegistry(allocation.stateDir, (allocations) => {
    if (allocations.some(same)) writeRegistry(allocation.stateDir, allocations.filter((a) => !same(a)));
  });
}
