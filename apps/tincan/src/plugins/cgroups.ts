import { Cgroup, compileDeviceFilter, DEFAULT_DEVICE_RULES, detectCgroupV2, type CgroupHost, type CgroupLimits, type DeviceRule } from '@tincan/cgroups-v2';
import type { PipelineContext, Plugin } from '../pipeline/plugin';
import { OOM, setShared } from '../pipeline/shared';

function hasLimits(limits: CgroupLimits | undefined): boolean {
  return limits !== undefined && Object.values(limits).some((v) => v !== undefined);
}

/**
 * One cgroup v2 per container: created with its limits and a device allowlist (a BPF_CGROUP_DEVICE
 * program, runc's default rules unless `devices` says otherwise), the process cloned into it, removed at exit.
 */
export function cgroupsPlugin(options: { parent?: string; devices?: readonly DeviceRule[] } = {}): Plugin {
  // compiled once per runtime; the helper loads and attaches it (no FFI in this process: start-up time)
  let deviceProgram: Buffer | undefined;
  // per container: one runtime may run many at once
  const cgroups = new WeakMap<PipelineContext, Cgroup>();
  // the host's cgroup2 mount and controllers, read once per runtime
  let host: CgroupHost | undefined;
  return {
    name: 'cgroups',
    async prepare(ctx) {
      if (ctx.spec.cgroups === 'off') {
        if (hasLimits(ctx.spec.resources)) throw new Error('resource limits need a cgroup, but cgroups are off (--cgroups off)');
        return;
      }
      host ??= detectCgroupV2();
      const cgroup = await Cgroup.create(`tincan-${ctx.id}`, {
        ...(options.parent ? { parent: options.parent } : {}),
        host,
        ...(ctx.spec.resources ? { limits: ctx.spec.resources } : {}),
      });
      cgroups.set(ctx, cgroup);
      deviceProgram ??= compileDeviceFilter(options.devices ?? DEFAULT_DEVICE_RULES);
      // attached before the process is created in the cgroup: there is no moment it could open a device unchecked
      ctx.program.beforeClone({ op: 'deviceFilter', cgroup: cgroup.path, program: deviceProgram });
      ctx.recordLeftover({ kind: 'plugin', plugin: 'cgroups', data: cgroup.path });
      ctx.program.intoCgroup(cgroup.path);
    },
    async cleanup(ctx) {
      const cgroup = cgroups.get(ctx);
      if (!cgroup) return;
      setShared(ctx, OOM, cgroup.oomKilled());
      // kills whatever the container left running, then rmdir
      await cgroup.remove();
    },
    async reap(path) {
      if (typeof path === 'string') await Cgroup.open(path).remove();
    },
  };
}
