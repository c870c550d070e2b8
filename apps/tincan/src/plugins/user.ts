import type { Plugin } from '../pipeline/plugin';
import { getShared, PROCESS_USER, ROOTFS, setShared } from '../pipeline/shared';
import type { UserSpec } from '../spec';

/** "uid[:gid]" without names; names need the rootfs's /etc/passwd. */
function numericUser(spec: string): { uid: number; gid: number } | undefined {
  const m = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (!m) return undefined;
  return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
}

async function resolve(ctx: Parameters<NonNullable<Plugin['prepare']>>[0], spec: UserSpec): Promise<{ uid: number; gid: number; groups: number[]; home?: string }> {
  if (typeof spec !== 'string') return { uid: spec.uid, gid: spec.gid, groups: spec.groups ?? [] };
  // "uid:gid" needs no lookup; a name (or a bare uid, for its groups) is resolved in the rootfs
  const n = numericUser(spec);
  if (n && spec.includes(':')) return { ...n, groups: [] };
  const rootfs = getShared(ctx, ROOTFS);
  if (rootfs) {
    const u = await rootfs.resolveUser(spec);
    return { uid: u.uid, gid: u.gid, groups: u.additionalGids, ...(u.home ? { home: u.home } : {}) };
  }
  if (!n) throw new Error(`cannot resolve user "${spec}" without a rootfs (use UID[:GID])`);
  return { ...n, groups: [] };
}

/** The command's uid, gid and supplementary groups (none of the runtime's own groups leak in). */
export function userPlugin(): Plugin {
  return {
    name: 'user',
    async prepare(ctx) {
      const spec = ctx.spec.user || getShared(ctx, ROOTFS)?.defaults.user || '0:0';
      const u = await resolve(ctx, spec);
      setShared(ctx, PROCESS_USER, { uid: u.uid, gid: u.gid, ...(u.home ? { home: u.home } : {}) });
      ctx.addSteps('user', { op: 'setUser', uid: u.uid, gid: u.gid, groups: u.groups });
    },
  };
}
