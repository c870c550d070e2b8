import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A minimal rootfs for tests: Debian's static busybox with the applets the tests use. */
export function busyboxRootfs(): string {
  const root = mkdtempSync(join(tmpdir(), 'nsexec-rootfs-'));
  // mkdtemp makes it 0700; an image's / is 0755, so that non-root users can use it
  chmodSync(root, 0o755);
  for (const d of ['bin', 'proc', 'dev', 'tmp', 'etc']) mkdirSync(join(root, d));
  copyFileSync('/bin/busybox', join(root, 'bin', 'busybox'));
  for (const applet of ['sh', 'cat', 'echo', 'hostname', 'id', 'ls', 'sleep', 'true', 'grep', 'readlink']) symlinkSync('busybox', join(root, 'bin', applet));
  return root;
}
