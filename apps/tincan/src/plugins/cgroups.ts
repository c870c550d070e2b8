import { Cgroup, type CgroupLimits } from '@tincan/cgroups-v2';
import type { Plugin } from '../pipeline/plugin';
import { OOM, setShared } from '../pipeline/shared';

function hasLimits(limits: CgroupLimits | undefined): boolean {
  return limits !== undefined && Object.values(limits).some((v) => v !== undefined);
}

/** One cgroup v2 per container: created with its limits, the process cloned into it, removed at exit. */
export function cgroupsPlugin(options: { parent?: string } = {}): Plugin {
  let cgroup: Cgroup | undefined;
  return {
    name: 'cgroups',
    async prepare(ctx) {
      if (ctx.spec.cgroups === 'off') {
        if (hasLimits(ctx.spec.resources)) throw new Error('resource limits need a cgroup, but cgroups are off (--cgroups off)');
        return;
      }
      cgroup = await Cgroup.create(`tincan-${ctx.id}`, { ...options, ...(ctx.spec.resources ? { limits: ctx.spec.resources } : {}) });
      ctx.cgroupPath = cgroup.path;
    },
    async cleanup(ctx) {
      if (!cgroup) return;
      setShared(ctx, OOM, cgroup.oomKilled());
      // kills whatever the container left running, then rmdir
      await cgroup.remove();
    },
  };
}
