/** The README's example, run by readme.test.ts; README.md quotes the lines between the markers. */
import { ImageStore } from '../src';

export async function readmeExample(root: string, layout: string): Promise<{ lowerdir: string; argv: string[]; uid: number; gid: number }> {
  // readme:start
  const store = new ImageStore({ root, onProgress: (e) => e.done && console.log(`layer ${e.digest} ready`) });
  const rootfs = await store.prepareRootfs(`oci:${layout}:1`, { containerId: 'demo' });

  // The runtime mounts this itself, inside the container's own mount namespace:
  //   mount -t overlay overlay -o lowerdir=<lowerdir>,upperdir=<upperDir>,workdir=<workDir> <target>
  const lowerdir = rootfs.lowerDirs.join(':');
  const argv = [...(rootfs.defaults.entrypoint ?? []), ...(rootfs.defaults.cmd ?? [])];
  const { uid, gid } = await rootfs.resolveUser(rootfs.defaults.user ?? '');

  await rootfs.release(); // when the container is gone
  // readme:end
  return { lowerdir, argv, uid, gid };
}
