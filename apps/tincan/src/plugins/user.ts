import { MAX_ID } from '@tincan/nsexec';
import type { Plugin } from '../pipeline/plugin';
import { getShared, PROCESS_USER, ROOTFS, setShared } from '../pipeline/shared';
import type { UserSpec } from '../spec';

/** A user or group id out of 0 … 2^32-2 (larger ones wrap or truncate to other ids in the kernel, root among them). */
export class UserIdError extends Error {
  override readonly name = 'UserIdError';
}

/** Check an id once, whatever form it came in. */
function checkId(what: string, id: number | string): number {
  const n = typeof id === 'string' && /^\d{1,20}$/.test(id) ? Number(id) : id;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || n > MAX_ID) {
    throw new UserIdError(`${what} ${JSON.stringify(id)} is not an id from 0 to ${MAX_ID}`);
  }
  return n;
}

/** "uid[:gid]" without names (checkNumericParts has checked both numbers); names need the rootfs's /etc/passwd. */
function numericUser(spec: string): { uid: number; gid: number } | undefined {
  const m = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (!m) return undefined;
  return { uid: Number(m[1]), gid: Number(m[2] ?? m[1]) };
}

/** "name:123" or "123:name": the numeric half is checked before any lookup. */
function checkNumericParts(spec: string): void {
  const [user = '', group] = spec.split(':');
  if (/^\d+$/.test(user)) checkId('uid', user);
  if (group !== undefined && /^\d+$/.test(group)) checkId('gid', group);
}

async function resolve(ctx: Parameters<NonNullable<Plugin['prepare']>>[0], spec: UserSpec): Promise<{ uid: number; gid: number; groups: number[]; home?: string }> {
  if (typeof spec !== 'string') {
    return { uid: checkId('uid', spec.uid), gid: checkId('gid', spec.gid), groups: (spec.groups ?? []).map((g) => checkId('group', g)) };
  }
  // "uid:gid" needs no lookup; a name (or a bare uid, for its groups) is resolved in the rootfs
  checkNumericParts(spec);
  const n = numericUser(spec);
  if (n && spec.includes(':')) return { ...n, groups: [] };
  const rootfs = getShared(ctx, ROOTFS);
  if (rootfs) {
    const u = await rootfs.resolveUser(spec);
    // the image's /etc/passwd and /etc/group are hostile input too
    return { uid: checkId('uid', u.uid), gid: checkId('gid', u.gid), groups: u.additionalGids.map((g) => checkId('group', g)), ...(u.home ? { home: u.home } : {}) };
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
      // docker's umask for the command, whatever the caller's
      ctx.program.add('user', { op: 'setUser', uid: u.uid, gid: u.gid, groups: u.groups }, { op: 'umask', mask: 0o022 });
    },
  };
}
