import { containerCapabilities, lastCap, readCapabilities, resolveCapabilities } from '@tincan/capabilities';
import type { Plugin } from '../pipeline/plugin';
import { CAPABILITY_NAMES, getShared, PROCESS_USER, setShared } from '../pipeline/shared';

/** Capabilities: docker's default 14 with --cap-add/--cap-drop; all five sets set before exec. */
export function capabilitiesPlugin(): Plugin {
  return {
    name: 'capabilities',
    prepare(ctx) {
      const last = lastCap();
      const add = ctx.spec.capAdd ?? [];
      // --cap-add ALL: what this runtime holds (the monitor inherits our bounding set), not what the kernel knows
      const available = add.some((c) => c.toUpperCase() === 'ALL') ? readCapabilities('self').bounding : undefined;
      const set = resolveCapabilities({ add, drop: ctx.spec.capDrop ?? [], lastCap: last, ...(available ? { available } : {}) });
      const uid = getShared(ctx, PROCESS_USER)?.uid ?? 0;
      const caps = containerCapabilities(set, { user: uid === 0 ? 'root' : 'nonroot' });
      setShared(ctx, CAPABILITY_NAMES, set.names());
      ctx.program.add('capabilities', {
        op: 'capabilities',
        bounding: caps.bounding.mask,
        effective: caps.effective.mask,
        permitted: caps.permitted.mask,
        inheritable: caps.inheritable.mask,
        ambient: caps.ambient.mask,
        lastCap: last,
      });
    },
  };
}
