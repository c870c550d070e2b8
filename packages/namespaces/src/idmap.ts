import { IdMapError } from './errors';

/** One line of a uid_map/gid_map: container ids [containerId, containerId+size) are host ids [hostId, …). */
export interface IdMapping {
  containerId: number;
  hostId: number;
  size: number;
}

/** The kernel's limit on lines in one uid_map/gid_map write (Linux 4.15+). */
export const MAX_ID_MAP_LINES = 340;
/** (uid_t)-1 is never a valid id, so a range must end before it. */
const ID_LIMIT = 2 ** 32 - 1;
/** The whole map must be written in one write(2) of less than a page. */
const MAX_ID_MAP_BYTES = 4096;

function parseId(text: string, what: string, entry: string): number {
  if (!/^\d+$/.test(text)) throw new IdMapError(`id map entry ${JSON.stringify(entry)}: ${what} is not a number`);
  return Number(text);
}

/** Parse the command-line form 'containerId:hostId:size,…', e.g. '0:100000:65536,65536:200000:10'. */
export function parseIdMap(text: string): IdMapping[] {
  const map = text.split(',').map((entry) => {
    const parts = entry.trim().split(':');
    if (parts.length !== 3) throw new IdMapError(`id map entry ${JSON.stringify(entry)} is not containerId:hostId:size`);
    const [containerId, hostId, size] = parts as [string, string, string];
    return {
      containerId: parseId(containerId, 'containerId', entry),
      hostId: parseId(hostId, 'hostId', entry),
      size: parseId(size, 'size', entry),
    };
  });
  validateIdMap(map);
  return map;
}

function ociNumber(entry: Record<string, unknown>, key: string, index: number): number {
  const value = entry[key];
  if (typeof value !== 'number') throw new IdMapError(`id map entry ${index}: ${key} is not a number: ${JSON.stringify(value)}`);
  return value;
}

/** Convert (and validate) an OCI JSON id map (linux.uidMappings): [{ containerID, hostID, size }, …]. */
export function idMapFromOci(value: unknown): IdMapping[] {
  if (!Array.isArray(value)) throw new IdMapError(`id map is not an array: ${JSON.stringify(value)}`);
  const map = value.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) throw new IdMapError(`id map entry ${index} is not an object`);
    const record = entry as Record<string, unknown>;
    return {
      containerId: ociNumber(record, 'containerID', index),
      hostId: ociNumber(record, 'hostID', index),
      size: ociNumber(record, 'size', index),
    };
  });
  validateIdMap(map);
  return map;
}

function describe(m: IdMapping): string {
  return `${m.containerId}:${m.hostId}:${m.size}`;
}

function checkEntry(m: IdMapping): void {
  for (const [key, value] of Object.entries(m)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new IdMapError(`id map entry ${describe(m)}: ${key} must be a non-negative integer`);
  }
  if (m.size === 0) throw new IdMapError(`id map entry ${describe(m)}: size must be > 0`);
  if (m.containerId + m.size > ID_LIMIT) throw new IdMapError(`id map entry ${describe(m)}: container ids reach 2^32-1`);
  if (m.hostId + m.size > ID_LIMIT) throw new IdMapError(`id map entry ${describe(m)}: host ids reach 2^32-1`);
}

function checkNoOverlap(map: readonly IdMapping[], key: 'containerId' | 'hostId', side: string): void {
  const sorted = [...map].sort((a, b) => a[key] - b[key]);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as IdMapping;
    const next = sorted[i] as IdMapping;
    if (prev[key] + prev.size > next[key]) throw new IdMapError(`id map entries ${describe(prev)} and ${describe(next)} overlap in ${side} ids`);
  }
}

function lines(map: readonly IdMapping[]): string {
  return map.map((m) => `${m.containerId} ${m.hostId} ${m.size}\n`).join('');
}

/** Throw IdMapError for any map the kernel would refuse in uid_map/gid_map (user_namespaces(7)). */
export function validateIdMap(map: readonly IdMapping[]): void {
  if (map.length === 0) throw new IdMapError('id map is empty');
  if (map.length > MAX_ID_MAP_LINES) throw new IdMapError(`id map has ${map.length} entries; the kernel takes at most ${MAX_ID_MAP_LINES}`);
  map.forEach(checkEntry);
  checkNoOverlap(map, 'containerId', 'container');
  checkNoOverlap(map, 'hostId', 'host');
  const bytes = Buffer.byteLength(lines(map));
  if (bytes >= MAX_ID_MAP_BYTES) throw new IdMapError(`id map text is ${bytes} bytes; the kernel takes less than ${MAX_ID_MAP_BYTES}`);
}

/** The exact text to write to /proc/PID/uid_map or gid_map, e.g. "0 100000 65536\n". */
export function formatIdMap(map: readonly IdMapping[]): string {
  validateIdMap(map);
  return lines(map);
}

/** The host id that container id `id` maps to, or undefined if it is unmapped. */
export function toHostId(map: readonly IdMapping[], id: number): number | undefined {
  const m = map.find((e) => id >= e.containerId && id < e.containerId + e.size);
  return m === undefined ? undefined : m.hostId + (id - m.containerId);
}

/** The container id that host id `id` appears as, or undefined if it is unmapped (shown as 65534). */
export function toContainerId(map: readonly IdMapping[], id: number): number | undefined {
  const m = map.find((e) => id >= e.hostId && id < e.hostId + e.size);
  return m === undefined ? undefined : m.containerId + (id - m.hostId);
}

/** Parse the kernel's own uid_map/gid_map text (whitespace-separated columns). */
export function parseProcIdMap(text: string): IdMapping[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [containerId, hostId, size] = line.trim().split(/\s+/).map(Number) as [number, number, number];
      return { containerId, hostId, size };
    });
}
