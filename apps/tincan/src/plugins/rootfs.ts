import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ImageStore, type PreparedRootfs } from '@tincan/image';
import type { RootfsSpec } from '@tincan/mounts';
import type { Plugin } from '../pipeline/plugin';
import { ROOTFS, setShared } from '../pipeline/shared';

/** The container's root from a directory, a tarball or an image, through @tincan/image's store. */
export function rootfsPlugin(options: { store?: ImageStore } = {}): Plugin {
  let prepared: PreparedRootfs | undefined;
  return {
    name: 'rootfs',
    async prepare(ctx) {
      const store = options.store ?? new ImageStore(ctx.spec.dataDir ? { root: ctx.spec.dataDir } : {});
      prepared = await store.prepareRootfs(ctx.spec.rootfs, { containerId: ctx.id, readOnly: ctx.spec.readOnly ?? false });
      setShared(ctx, ROOTFS, {
        rootfs: rootfsSpec(prepared, ctx.stateDir),
        defaults: prepared.defaults,
        resolveUser: (spec) => (prepared as PreparedRootfs).resolveUser(spec),
      });
    },
    async cleanup() {
      await prepared?.release();
    },
  };
}

function rootfsSpec(p: PreparedRootfs, stateDir: string): RootfsSpec {
  if (p.kind === 'directory') return { kind: 'directory', path: p.lowerDirs[0] as string };
  // the overlay is mounted inside the container's mount namespace, on an empty dir of its own
  const mountpoint = join(stateDir, 'rootfs');
  mkdirSync(mountpoint);
  return { kind: 'overlay', lowerDirs: p.lowerDirs, ...(p.upperDir ? { upperDir: p.upperDir } : {}), ...(p.workDir ? { workDir: p.workDir } : {}), mountpoint };
}
