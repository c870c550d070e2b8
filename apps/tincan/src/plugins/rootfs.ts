import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ImageStore, PreparedRootfs } from '@tincan/image';
import type { RootfsSpec } from '@tincan/mounts';
import { makeDir } from '../pipeline/fs';
import type { PipelineContext, Plugin } from '../pipeline/plugin';
import { ROOTFS, setShared, type RootfsInfo } from '../pipeline/shared';

/** @tincan/image is large (registry, decompression, tar): it loads only when a container needs it. */
async function openStore(ctx: PipelineContext, given?: ImageStore): Promise<ImageStore> {
  if (given) return given;
  const { ImageStore: Store } = await import('@tincan/image');
  return new Store({ ...ctx.spec.imageStore, ...(ctx.spec.dataDir ? { root: ctx.spec.dataDir } : {}) });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The container's root, through @tincan/image's store: a directory (used in place), a rootfs tarball
 * or an image (overlay of cached layers; --read-only is applied to the mount, so there is always an
 * upper dir). A plain directory needs no store unless a user name must be
 * looked up in its /etc/passwd, so starting from one does not pay for loading the image code.
 */
export function rootfsPlugin(options: { store?: ImageStore } = {}): Plugin {
  // per container: one runtime may run many at once
  const prepared = new WeakMap<PipelineContext, PreparedRootfs>();
  return {
    name: 'rootfs',
    async prepare(ctx) {
      const source = ctx.spec.rootfs;
      const prepare = async (): Promise<PreparedRootfs> => {
        let p = prepared.get(ctx);
        if (!p) prepared.set(ctx, (p = await (await openStore(ctx, options.store)).prepareRootfs(source, { containerId: ctx.id })));
        return p;
      };
      if (source.startsWith('/') && isDirectory(source)) {
        setShared(ctx, ROOTFS, { rootfs: { kind: 'directory', path: source }, defaults: {}, resolveUser: async (u) => (await prepare()).resolveUser(u) });
        return;
      }
      const p = await prepare();
      // the per-container upper and work dirs, should this process die before release()
      for (const dir of new Set([p.upperDir, p.workDir].filter((d): d is string => d !== undefined).map((d) => dirname(d)))) ctx.recordLeftover({ kind: 'dir', path: dir });
      const info: RootfsInfo = { rootfs: rootfsSpec(p, ctx.stateDir), defaults: p.defaults, resolveUser: (u) => p.resolveUser(u) };
      setShared(ctx, ROOTFS, info);
    },
    async cleanup(ctx) {
      await prepared.get(ctx)?.release();
    },
  };
}

function rootfsSpec(p: PreparedRootfs, stateDir: string): RootfsSpec {
  if (p.kind === 'directory') return { kind: 'directory', path: p.lowerDirs[0] as string };
  // the overlay is mounted inside the container's mount namespace, on an empty dir of its own
  const mountpoint = makeDir(join(stateDir, 'rootfs'), 0o755);
  return { kind: 'overlay', lowerDirs: p.lowerDirs, ...(p.upperDir ? { upperDir: p.upperDir } : {}), ...(p.workDir ? { workDir: p.workDir } : {}), mountpoint };
}
