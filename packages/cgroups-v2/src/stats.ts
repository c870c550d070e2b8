import { hasFile, readKeyed, readNumber } from './cgroupfs';

export interface MemoryEvents {
  oom: number;
  oom_kill: number;
  max: number;
  high: number;
}

export interface CgroupStats {
  /** Present when the memory controller is enabled for the cgroup. */
  memory?: { current: number; peak?: number; events: MemoryEvents };
  /** Present when the pids controller is enabled for the cgroup. */
  pids?: { current: number };
  /** cpu.stat exists in every cgroup; the throttling figures only with the cpu controller. */
  cpu: { usage_usec: number; user_usec: number; system_usec: number; nr_throttled?: number; throttled_usec?: number };
}

/** memory.events (hierarchical: counts the subtree too); all zero when the file is absent. */
export function readMemoryEvents(dir: string): MemoryEvents {
  const ev = hasFile(dir, 'memory.events') ? readKeyed(dir, 'memory.events') : new Map<string, number>();
  return { oom: ev.get('oom') ?? 0, oom_kill: ev.get('oom_kill') ?? 0, max: ev.get('max') ?? 0, high: ev.get('high') ?? 0 };
}

function memoryStats(dir: string): CgroupStats['memory'] {
  if (!hasFile(dir, 'memory.current')) return undefined;
  const peak = hasFile(dir, 'memory.peak') ? { peak: readNumber(dir, 'memory.peak') } : {};
  return { current: readNumber(dir, 'memory.current'), ...peak, events: readMemoryEvents(dir) };
}

function cpuStats(dir: string): CgroupStats['cpu'] {
  const st = readKeyed(dir, 'cpu.stat');
  const throttling = st.has('nr_throttled') ? { nr_throttled: st.get('nr_throttled'), throttled_usec: st.get('throttled_usec') } : {};
  return {
    usage_usec: st.get('usage_usec') ?? 0,
    user_usec: st.get('user_usec') ?? 0,
    system_usec: st.get('system_usec') ?? 0,
    ...throttling,
  };
}

/** Whatever usage figures the cgroup's files offer. */
export function readStats(dir: string): CgroupStats {
  const pids = hasFile(dir, 'pids.current') ? { pids: { current: readNumber(dir, 'pids.current') } } : {};
  const memory = memoryStats(dir);
  return { ...(memory === undefined ? {} : { memory }), ...pids, cpu: cpuStats(dir) };
}
