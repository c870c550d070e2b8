import { ImageError } from '../errors';
import { quote } from '../text';
import { readImageFile } from './image-files';

/** Numeric identity a container process runs as. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: the /etc/group entries listing the user, without the primary gid. */
  additionalGids: number[];
  /** The passwd entry's home directory, when the user has one. */
  home?: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const NUMERIC = /^\d+$/;
const MAX_ID = 0xffffffff;

/**
 * Resolve `user` (`name`, `uid`, `name:group`, `uid:gid`, any mix; empty = root) against the
 * image's /etc/passwd and /etc/group, looked up in `lowerDirs` (topmost first). A numeric uid
 * needs no passwd entry; a name does.
 */
export async function resolveUser(spec: string, lowerDirs: readonly string[], reference: string): Promise<ResolvedUser> {
  const [userPart, groupPart] = splitSpec(spec, reference);
  const passwd = parsePasswd((await readImageFile(lowerDirs, '/etc/passwd'))?.toString('utf8') ?? '');
  const groups = parseGroup((await readImageFile(lowerDirs, '/etc/group'))?.toString('utf8') ?? '');
  const entry = NUMERIC.test(userPart) ? passwd.find((p) => p.uid === Number(userPart)) : passwd.find((p) => p.name === userPart);
  if (!NUMERIC.test(userPart) && !entry) throw new ImageError(`user ${quote(userPart)} not found in the image's /etc/passwd`, { reference, entry: '/etc/passwd' });
  const uid = entry?.uid ?? parseId(userPart, 'uid', reference);
  const gid = groupPart === undefined ? (entry?.gid ?? 0) : resolveGroup(groupPart, groups, reference);
  const additionalGids = entry ? groups.filter((g) => g.members.includes(entry.name) && g.gid !== gid).map((g) => g.gid) : [];
  return { uid, gid, additionalGids: [...new Set(additionalGids)], ...(entry?.home && { home: entry.home }) };
}

function splitSpec(spec: string, reference: string): [string, string | undefined] {
  const trimmed = spec.trim();
  if (trimmed === '') return ['0', undefined];
  const parts = trimmed.split(':');
  if (parts.length > 2 || parts[0] === '' || parts[1] === '') throw new ImageError(`invalid user ${quote(spec)} (want name, uid, name:group or uid:gid)`, { reference });
  return [parts[0], parts[1]];
}

function resolveGroup(group: string, groups: GroupEntry[], reference: string): number {
  if (NUMERIC.test(group)) return parseId(group, 'gid', reference);
  const found = groups.find((g) => g.name === group);
  if (!found) throw new ImageError(`group ${quote(group)} not found in the image's /etc/group`, { reference, entry: '/etc/group' });
  return found.gid;
}

function parseId(text: string, what: string, reference: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > MAX_ID) throw new ImageError(`${what} ${text} out of range`, { reference });
  return n;
}

/** name:password:uid:gid:gecos:home:shell; malformed lines are skipped like libc does. */
function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).flatMap((fields) =>
    fields.length >= 4 && NUMERIC.test(fields[2]) && NUMERIC.test(fields[3])
      ? [{ name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '' }]
      : [],
  );
}

/** name:password:gid:member,member */
function parseGroup(text: string): GroupEntry[] {
  return lines(text).flatMap((fields) =>
    fields.length >= 3 && NUMERIC.test(fields[2])
      ? [{ name: fields[0], gid: Number(fields[2]), members: (fields[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean) }]
      : [],
  );
}

function lines(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}
