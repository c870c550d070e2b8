import type { IdMapping } from './types';

/** host id for container `id` under `map` (identity without a map); undefined when unmapped. */
export function mapId(map: readonly IdMapping[] | undefined, id: number): number | undefined {
  if (map === undefined) return id;
  for (const m of map) {
    if (id >= m.containerID && id - m.containerID < m.size) return m.hostID + (id - m.containerID);
  }
  return undefined;
}
