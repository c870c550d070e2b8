import { mkdirSync, rmdirSync, statfsSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { constants as osConstants } from 'node:os';
import { KernelFeatureError, SyscallError } from '@tincan/libc-core';
import { hasFile, readKeyed, readText, sleep, toSyscallError, waitUntil, writeValue } from './cgroupfs';
import { attachDeviceFilter } from './device-filter';
import { compileDeviceFilter, type DeviceRule } from './devices';
import { CgroupLimitError, CgroupUnavailableError } from './errors';
import { detectCgroupV2, type CgroupHost } from './host';
import { limitWrites, requiredControllers, type CgroupLimits, type Controller } from './limits';
import { readProcs, sigkillEachProcess, subtreeBottomUp } from './processes';
import { readMemoryEvents, readStats, type CgroupStats } from './stats';

const CGROUP2_SUPER_MAGIC = 0x63677270;
const DEFAULT_TIMEOUT_MS = 10_000;

export interface CreateOptions {
  /**
   * Where the cgroup goes: a cgroup path relative to the cgroup2 mountpoint ('tincan', '/tincan/pods',
   * as /proc/self/cgroup spells it) or an absolute directory under the mountpoint. Default 'tincan'.
   */
  parent?: string;
  limits?: CgroupLimits;
  /**
   * Device allowlist (OCI linux.resources.devices, e.g. DEFAULT_DEVICE_RULES): compiled into a
   * BPF_CGROUP_DEVICE program attached to the new cgroup. Omitted: no device filter.
   */
  devices?: readonly DeviceRule[];
  /** The detected host (detectCgroupV2() when omitted). */
  host?: CgroupHost;
}

export interface WaitOptions {
  /** How long to wait for the kernel to reach the state (default 10 s). */
  timeoutMs?: number;
}

function checkName(name: string): void {
  // one path component that cannot collide with a cgroupfs interface file
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0') || name.startsWith('cgroup.')) {
    throw new CgroupLimitError('cgroup name', name, "one path component, not '.', '..' or cgroup.*");
  }
}

/** The parent directory for `parent` under `mountpoint`, refusing anything outside it. */
function resolveParent(mountpoint: string, parent: string): string {
  const under = parent === mountpoint || parent.startsWith(`${mountpoint}/`);
  const dir = under ? parent : join(mountpoint, parent);
  const rel = relative(mountpoint, dir);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new CgroupLimitError('parent', parent, `a cgroup under ${mountpoint}`);
  return dir;
}

/** The mountpoint and every directory down to `dir`, top first. */
function pathFromRoot(mountpoint: string, dir: string): string[] {
  const parts = relative(mountpoint, dir).split(sep).filter(Boolean);
  return [mountpoint, ...parts.map((_, i) => join(mountpoint, ...parts.slice(0, i + 1)))];
}

function listFile(dir: string, file: string): string[] {
  return readText(dir, file).trim().split(/\s+/).filter(Boolean);
}

/** Enable `needed` in each ancestor's cgroup.subtree_control, writing only the ones not yet on. */
function enableControllers(ancestors: string[], needed: Controller[]): void {
  for (const dir of ancestors) {
    const enabled = listFile(dir, 'cgroup.subtree_control');
    const missing = needed.filter((c) => !enabled.includes(c));
    if (missing.length > 0) writeValue(dir, 'cgroup.subtree_control', missing.map((c) => `+${c}`).join(' '));
  }
}

function mkdirParents(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw toSyscallError(err, 'mkdir', dir);
  }
}

function mkdirCgroup(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
    throw toSyscallError(err, 'mkdir', dir, exists ? 'the cgroup already exists' : undefined);
  }
}

/** rmdir that reports whether the cgroup is gone (false: EBUSY, still in use). */
function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'EBUSY') return false;
    throw toSyscallError(err, 'rmdir', dir);
  }
}

/** A cgroup v2 directory that holds one container's processes. */
export class Cgroup {
  private constructor(
    /** Absolute directory, usable as the cgroup fd for clone3(CLONE_INTO_CGROUP). */
    readonly path: string,
  ) {}

  /**
   * Create cgroup `name` under `parent`, enable the controllers its limits need in every ancestor,
   * write the limits and attach the device filter. Refuses if the cgroup exists; removes it again if a
   * limit cannot be written or the filter cannot be attached.
   */
  static async create(name: string, options: CreateOptions = {}): Promise<Cgroup> {
    const host = options.host ?? detectCgroupV2();
    const limits = options.limits ?? {};
    checkName(name);
    const writes = limitWrites(limits);
    const deviceFilter = options.devices === undefined ? undefined : compileDeviceFilter(options.devices);
    const needed = requiredControllers(limits);
    if (host.mountpoint === null) throw new CgroupUnavailableError(null, needed, []);
    const missing = needed.filter((c) => !host.controllers.includes(c));
    if (missing.length > 0) throw new CgroupUnavailableError(host.mountpoint, missing, host.controllers);
    const parentDir = resolveParent(host.mountpoint, options.parent ?? 'tincan');
    mkdirParents(parentDir);
    enableControllers(pathFromRoot(host.mountpoint, parentDir), needed);
    const cgroup = new Cgroup(join(parentDir, name));
    mkdirCgroup(cgroup.path);
    try {
      for (const w of writes) writeValue(cgroup.path, w.file, w.value);
      if (deviceFilter !== undefined) attachDeviceFilter(cgroup.path, deviceFilter);
    } catch (err) {
      tryRmdir(cgroup.path);
      throw err;
    }
    return cgroup;
  }

  /** An existing cgroup v2 directory (refuses v1 hierarchies and non-cgroup paths). */
  static open(path: string): Cgroup {
    let type: number;
    try {
      type = statfsSync(path).type;
    } catch (err) {
      throw toSyscallError(err, 'statfs', path);
    }
    if (type !== CGROUP2_SUPER_MAGIC || !hasFile(path, 'cgroup.procs')) {
      throw new KernelFeatureError('cgroup2', `${path} is not a cgroup2 directory`);
    }
    return new Cgroup(path);
  }

  /** Move process `pid` (all its threads) into this cgroup. */
  addProcess(pid: number): void {
    writeValue(this.path, 'cgroup.procs', String(pid));
  }

  /** The pids directly in this cgroup. */
  procs(): number[] {
    return readProcs(this.path);
  }

  /** Whether any process is in this cgroup or below (cgroup.events populated). */
  populated(): boolean {
    return readKeyed(this.path, 'cgroup.events').get('populated') === 1;
  }

  /** Usage from whichever of memory.*, pids.* and cpu.stat exist for this cgroup. */
  stats(): CgroupStats {
    return readStats(this.path);
  }

  /** Whether the OOM killer has killed a process in this cgroup (memory.events oom_kill). */
  oomKilled(): boolean {
    return readMemoryEvents(this.path).oom_kill > 0;
  }

  /** Freeze every process in the subtree; resolves once cgroup.events says frozen 1. */
  async freeze(options: WaitOptions = {}): Promise<void> {
    await this.setFrozen(true, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /** Thaw the subtree; resolves once cgroup.events says frozen 0. */
  async thaw(options: WaitOptions = {}): Promise<void> {
    await this.setFrozen(false, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  private async setFrozen(frozen: boolean, timeoutMs: number): Promise<void> {
    const want = frozen ? 1 : 0;
    writeValue(this.path, 'cgroup.freeze', String(want));
    const reached = (): boolean => readKeyed(this.path, 'cgroup.events').get('frozen') === want;
    await waitUntil(reached, this.path, frozen ? 'frozen' : 'thawed', timeoutMs);
  }

  /** SIGKILL everything in the subtree (cgroup.kill, or pid by pid on older kernels) and wait until it is empty. */
  async kill(options: WaitOptions = {}): Promise<void> {
    const viaKernel = hasFile(this.path, 'cgroup.kill');
    if (viaKernel) writeValue(this.path, 'cgroup.kill', '1');
    const empty = (): boolean => {
      if (!this.populated()) return true;
      // pid by pid races with forks, so repeat until nothing is left
      if (!viaKernel) sigkillEachProcess(this.path);
      return false;
    };
    await waitUntil(empty, this.path, 'empty', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  /** Kill what is left, then remove the cgroup and its child cgroups. Idempotent. */
  async remove(options: WaitOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!hasFile(this.path, 'cgroup.events')) return;
    if (this.populated()) await this.kill({ timeoutMs });
    const deadline = Date.now() + timeoutMs;
    for (const dir of subtreeBottomUp(this.path)) {
      // rmdir can still see EBUSY briefly after populated 0 while exiting tasks are released
      for (let delay = 5; !tryRmdir(dir); delay = Math.min(delay * 2, 100)) {
        if (Date.now() >= deadline) throw new SyscallError('rmdir', osConstants.errno.EBUSY, dir, `still busy after ${timeoutMs} ms`);
        await sleep(delay);
      }
    }
  }
}
