import type { Plugin } from '../pipeline/plugin';
import { getShared, NAMESPACES } from '../pipeline/shared';

/** Hostname of the uts namespace: the given one, or one made from the container id (as crabcan does). */
export function hostnamePlugin(): Plugin {
  return {
    name: 'hostname',
    prepare(ctx) {
      const ownUts = getShared(ctx, NAMESPACES)?.created.has('uts') ?? false;
      if (!ownUts) {
        if (ctx.spec.hostname) throw new Error('--hostname needs a uts namespace of the container\'s own');
        return;
      }
      const name = ctx.spec.hostname ?? `tincan-${ctx.id.slice(0, 8)}`;
      if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/.test(name)) throw new Error(`invalid hostname "${name}" (letters, digits, '.', '-'; at most 64)`);
      ctx.program.add('hostname', { op: 'sethostname', name });
    },
  };
}
