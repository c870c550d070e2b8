import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Mount `lowers` (top first) as a read-only overlayfs in a private mount namespace (util-linux
 * unshare as the test tool) and run `script` with the merged view as the working directory.
 */
export function inOverlay(lowers: string[], script: string): string {
  const mnt = mkdtempSync(join(tmpdir(), 'tincan-ovl-mnt-'));
  try {
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-ec',
      `mount -t overlay overlay -o ro,lowerdir=${lowers.join(':')} ${mnt}; cd ${mnt}; ${script}`], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`overlay script failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  } finally {
    rmSync(mnt, { recursive: true, force: true });
  }
}
