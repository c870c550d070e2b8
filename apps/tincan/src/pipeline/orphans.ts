import { appendFileSync, chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDir } from './fs';

/**
 * What a container leaves on the host if the Node process that owns it dies without cleaning up
 * (SIGKILL, OOM): its monitor and processes die with it (PDEATHSIG, pid namespace), but its cgroup,
 * state dir and overlay upper dir stay. Each state dir records its owner and what to remove, so the
 * next runtime start reaps them.
 */
export type Leftover = { kind: 'dir'; path: string } | { kind: 'plugin'; plugin: string; data: unknown };

/** Removes what a plugin recorded (its `reap` hook); the framework knows no domain package. */
export type PluginReaper = (plugin: string, data: unknown) => void | Promise<void>;

const OWNER = 'owner';
const LEFTOVERS = 'leftovers';

/** This process, as `pid starttime`: a pid alone may have been reused by the time anyone looks. */
function processIdentity(pid: number): string | undefined {
  try {
    // field 22 of /proc/PID/stat, after the parenthesised command name
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return `${pid} ${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return undefined;
  }
}

/** Create a state dir that names its owner from the moment it exists (built aside, then renamed in). */
export function createStateDir(root: string, id: string): string {
  const dir = join(root, id);
  const building = join(root, `.${id}`);
  // traversable but not listable: a user-namespaced container's root must reach its mountpoint here
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o711);
  makeDir(building, 0o711);
  writeFileSync(join(building, OWNER), processIdentity(process.pid) ?? String(process.pid));
  renameSync(building, dir);
  return dir;
}

/** Record something to remove should this process die before its own cleanup. */
export function recordLeftover(stateDir: string, leftover: Leftover): void {
  appendFileSync(join(stateDir, LEFTOVERS), `${JSON.stringify(leftover)}\n`);
}

/** Reap the state of containers whose owning process is gone. Best effort: errors are skipped. */
export async function reapOrphans(root: string, reapPlugin: PluginReaper): Promise<string[]> {
  let entries: string[];
  try {
    entries = readdirSync(root).filter((n) => /^[0-9a-f]{12}$/.test(n));
  } catch {
    return [];
  }
  const reaped: string[] = [];
  for (const id of entries) {
    const dir = join(root, id);
    let owner: string;
    try {
      owner = readFileSync(join(dir, OWNER), 'utf8');
    } catch {
      continue;
    }
    if (processIdentity(Number(owner.split(' ')[0])) === owner) continue;
    for (const leftover of readLeftovers(dir).reverse()) await removeLeftover(leftover, reapPlugin);
    rmSync(dir, { recursive: true, force: true });
    reaped.push(id);
  }
  return reaped;
}

function readLeftovers(dir: string): Leftover[] {
  try {
    return readFileSync(join(dir, LEFTOVERS), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Leftover);
  } catch {
    return [];
  }
}

async function removeLeftover(leftover: Leftover, reapPlugin: PluginReaper): Promise<void> {
  try {
    if (leftover.kind === 'plugin') await reapPlugin(leftover.plugin, leftover.data);
    else rmSync(leftover.path, { recursive: true, force: true });
  } catch {
    // already gone, or another runtime is reaping it at the same time
  }
}
