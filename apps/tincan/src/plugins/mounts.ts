import { chownSync } from 'node:fs';
import { planFilesystem, type FilesystemSpec } from '@tincan/mounts';
import { toHostId } from '@tincan/namespaces';
import type { Plugin } from '../pipeline/plugin';
import { getShared, ID_MAPS, NAMESPACES, needShared, ROOTFS } from '../pipeline/shared';

/** The container's filesystem: mounts before pivot_root, then pivot_root, masked and read-only paths. */
export function mountsPlugin(): Plugin {
  return {
    name: 'mounts',
    prepare(ctx) {
      const { rootfs, defaults } = needShared(ctx, ROOTFS, 'mounts', 'rootfs');
      const ns = getShared(ctx, NAMESPACES);
      const maps = getShared(ctx, ID_MAPS);
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
      };
      const workdir = ctx.spec.workdir ?? defaults.workingDir;
      if (workdir) fs.workdir = workdir;
      if (maps && rootfs.kind === 'overlay' && rootfs.upperDir) {
        // the container's writes land in its upper dir: it belongs to the container's root
        const uid = toHostId(maps.uidMap, 0);
        const gid = toHostId(maps.gidMap, 0);
        if (uid === undefined || gid === undefined) throw new Error('an image root in a user namespace needs container uid and gid 0 mapped');
        chownSync(rootfs.upperDir, uid, gid);
      }
      const plan = planFilesystem(fs);
      ctx.attachSteps.push(...plan.attach);
      ctx.addSteps('rootfs', ...plan.rootfs);
      ctx.addSteps('mounts', ...plan.mounts);
      ctx.addSteps('pivot_root', ...plan.pivot);
    },
  };
}

