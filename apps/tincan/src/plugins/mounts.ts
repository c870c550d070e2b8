import { chownSync } from 'node:fs';
import { join } from 'node:path';
import { planFilesystem, type FilesystemSpec, type RootfsSpec } from '@tincan/mounts';
import { toHostId } from '@tincan/namespaces';
import { makeDir } from '../pipeline/fs';
import type { Plugin } from '../pipeline/plugin';
import { getShared, ID_MAPS, NAMESPACES, needShared, ROOTFS } from '../pipeline/shared';

/**
 * A directory root in a user namespace is id-mapped: the container's root would write through it as
 * host uid 0 (a setuid-root file made inside would be one on the host too). So it becomes the read-only
 * lower layer of an overlay, and the container's writes land in an upper dir of its own, owned by its ids.
 */
function writableLayer(rootfs: RootfsSpec, stateDir: string): RootfsSpec {
  if (rootfs.kind !== 'directory') return rootfs;
  const dir = (name: string) => makeDir(join(stateDir, name), 0o755);
  return { kind: 'overlay', lowerDirs: [rootfs.path], upperDir: dir('upper'), workDir: dir('work'), mountpoint: dir('rootfs') };
}

/** The container's filesystem: mounts, masked and read-only kernel paths, then pivot_root. */
export function mountsPlugin(): Plugin {
  return {
    name: 'mounts',
    prepare(ctx) {
      const image = needShared(ctx, ROOTFS, 'mounts', 'rootfs');
      const ns = getShared(ctx, NAMESPACES);
      const maps = getShared(ctx, ID_MAPS);
      const rootfs = maps ? writableLayer(image.rootfs, ctx.stateDir) : image.rootfs;
      const fs: FilesystemSpec = {
        rootfs,
        readOnly: ctx.spec.readOnly ?? false,
        volumes: ctx.spec.volumes ?? [],
        tmpfs: ctx.spec.tmpfs ?? [],
        userNamespace: ns?.created.has('user') ?? false,
        netNamespace: ns?.created.has('net') ?? false,
        ipcNamespace: ns?.created.has('ipc') ?? false,
        // devpts gid=5 must exist in the container's gid map
        ttyGroup: maps ? toHostId(maps.gidMap, 5) !== undefined : true,
        idmap: maps !== undefined,
        noPivot: ctx.spec.noPivot ?? false,
      };
      const workdir = ctx.spec.workdir ?? image.defaults.workingDir;
      if (workdir) fs.workdir = workdir;
      if (maps && rootfs.kind === 'overlay' && rootfs.upperDir) {
        // the container's writes land in its upper dir: it belongs to the container's root
        const uid = toHostId(maps.uidMap, 0);
        const gid = toHostId(maps.gidMap, 0);
        if (uid === undefined || gid === undefined) throw new Error('an image root in a user namespace needs container uid and gid 0 mapped');
        chownSync(rootfs.upperDir, uid, gid);
      }
      const plan = planFilesystem(fs);
      ctx.program.monitor(...plan.attach);
      ctx.program.add('rootfs', ...plan.rootfs);
      ctx.program.add('mounts', ...plan.mounts);
      ctx.program.add('kernel_paths', ...plan.kernelPaths);
      ctx.program.add('pivot_root', ...plan.pivot);
    },
  };
}

