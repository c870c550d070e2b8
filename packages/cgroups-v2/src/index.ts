/**
 * @tincan/cgroups-v2 — one cgroup v2 per container: detect the host's cgroup2, create a cgroup with
 * limits (enabling only the controllers they need) and a device allowlist (an eBPF program), add
 * processes, read stats, freeze, kill, remove.
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
export { compileDeviceFilter, DEFAULT_DEVICE_RULES, type DeviceRule } from './devices';
export { Cgroup, type CreateOptions, type WaitOptions } from './cgroup';
export type { CgroupStats, MemoryEvents } from './stats';
export { CgroupUnavailableError, CgroupWriteError, CgroupLimitError, CgroupTimeoutError, CgroupDeviceFilterError } from './errors';
