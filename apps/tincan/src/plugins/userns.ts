import { autoIdMap, formatIdMap, releaseAutoIdMap, validateIdMap, type AutoIdMap, type IdMapping } from '@tincan/namespaces';
import type { Plugin } from '../pipeline/plugin';
import { getShared, ID_MAPS, NAMESPACES, setShared } from '../pipeline/shared';

/**
 * User namespace: the monitor writes uid_map/gid_map right after clone, before the container runs
 * anything; the container then becomes root of its namespace (identity phase) so it may create files.
 */
export function usernsPlugin(): Plugin {
  return {
    name: 'userns',
    prepare(ctx) {
      if (!getShared(ctx, NAMESPACES)?.created.has('user')) return;
      const userns = ctx.spec.userns;
      let maps: { uidMap: IdMapping[]; gidMap: IdMapping[] };
      if (userns === 'auto') {
        const auto = autoIdMap();
        ctx.onCleanup(() => releaseAutoIdMap(auto));
        // a later start gives the range back if this process dies first
        ctx.recordLeftover({ kind: 'plugin', plugin: 'userns', data: auto });
        maps = auto;
      } else if (Array.isArray(userns)) {
        validateIdMap(userns);
        maps = { uidMap: userns, gidMap: userns };
      } else {
        throw new Error('a new user namespace needs --userns auto or a map (CONTAINER:HOST:SIZE)');
      }
      setShared(ctx, ID_MAPS, maps);
      // root writes the maps, so setgroups stays allowed (it is only denied for unprivileged mappers)
      ctx.program.monitor(
        { op: 'writeProc', file: 'uid_map', data: formatIdMap(maps.uidMap) },
        { op: 'writeProc', file: 'gid_map', data: formatIdMap(maps.gidMap) },
      );
      ctx.program.add('identity', { op: 'setUser', uid: 0, gid: 0, groups: [] });
    },
    reap(allocation) {
      releaseAutoIdMap(allocation as AutoIdMap);
    },
  };
}
