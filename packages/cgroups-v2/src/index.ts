/**
 * @tincan/cgroups-v2 — one cgroup v2 per container: detect the host's cgroup2, create a cgroup with
 * limits (enabling only the controllers they need), add processes, read stats, freeze, kill, remove.
 */
export { detectCgroupV2, type CgroupHost } from './host';
export {
  requiredControllers,
  type CgroupLimits,
  type MemoryLimits,
  type CpuLimits,
  type CpuMax,
  type IoDeviceMax,
  type ByteLimit,
  type Controller,
} from './limits';
export { parseBytes, cpusToMax, parseCpuWeight, memoryFromDockerFlags, type DockerMemoryFlags } from './docker-flags';
export { Cgroup, type CreateOptions, type WaitOptions } from './cgroup';
export type { CgroupStats, MemoryEvents } from './stats';
export { CgroupUnavailableError, CgroupWriteError, CgroupLimitError, CgroupTimeoutError } from './errors';
