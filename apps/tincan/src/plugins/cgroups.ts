import { Cgroup, DEFAULT_DEVICE_RULES, detectCgroupV2, type CgroupHost, type CgroupLimits, type DeviceRule } from '@tincan/cgroups-v2';
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
  const devices = options.devices ?? DEFAULT_DEVICE_RULES;
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
        devices,
        ...(ctx.spec.resources ? { limits: ctx.spec.resources } : {}),
      });
      ctx.spec.onTrace?.({
        phase: 'prepare',
        description: `device allowlist on the cgroup (${devices.length} rules)`,
        syscalls: 'bpf(BPF_PROG_LOAD) + bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE)',
        ok: true,
        errno: 0,
        durationMs: 0,
      });
      cgroups.set(ctx, cgroup);
      ctx.recordLeftover({ kind: 'plugin', plugin: 'cgroups', data: cgroup.path });
      ctx.cgroupPath = cgroup.path;
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
