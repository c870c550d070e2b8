import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Everything observable about a tree: type, mode, owner, size, mtime, content hash or link target. */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    const p = join(root, rel);
    const st = lstatSync(p, { bigint: true });
    let detail = '';
    if (st.isFile()) detail = createHash('sha256').update(readFileSync(p)).digest('hex');
    else if (st.isSymbolicLink()) detail = readlinkSync(p);
    out.set(rel || '.', `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.mtimeNs} ${st.nlink} ${detail}`);
    if (st.isDirectory()) for (const n of readdirSync(p).sort()) walk(join(rel, n));
  };
  walk('');
  return out;
}
