import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpusToMax, memoryFromDockerFlags, parseCpuWeight, type CgroupLimits } from '@tincan/cgroups-v2';
import { parseTmpfsOptions, type Propagation, type TmpfsSpec, type VolumeSpec } from '@tincan/mounts';
import { parseIdMap } from '@tincan/namespaces';
import type { ContainerSpec, Ulimit } from '../spec';

/** A command-line value that cannot be used; the message names the flag and the value. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const PROPAGATIONS = new Set<string>(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared']);

/** -v HOST:CTR[:OPTS], OPTS a comma list of ro, rw, bind, rbind and a propagation mode. */
export function parseVolume(value: string): VolumeSpec {
  const parts = value.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) throw new UsageError(`--volume "${value}": want HOST:CONTAINER[:ro]`);
  const v: VolumeSpec = { source: resolve(parts[0]), target: parts[1] };
  for (const opt of (parts[2] ?? '').split(',').filter(Boolean)) {
    if (opt === 'ro') v.readOnly = true;
    else if (opt === 'rw') v.readOnly = false;
    else if (opt === 'bind') v.recursive = false;
    else if (opt === 'rbind') v.recursive = true;
    else if (PROPAGATIONS.has(opt)) v.propagation = opt as Propagation;
    else throw new UsageError(`--volume "${value}": unknown option "${opt}" (ro, rw, bind, rbind, [r]private, [r]slave, [r]shared)`);
  }
  return v;
}

/** -e KEY=VALUE, or -e KEY to pass the host's value (docker semantics). */
export function parseEnv(value: string): string[] {
  const name = value.includes('=') ? value.slice(0, value.indexOf('=')) : value;
  if (name === '') throw new UsageError(`--env "${value}": empty variable name`);
  // a name with blanks or control characters is no shell variable, and would garble `env` inside
  if (/[\s\u0000-\u001f\u007f]/.test(name)) throw new UsageError(`--env ${JSON.stringify(name)}: a variable name cannot hold blanks or control characters`);
  if (value.includes('=')) return [value];
  const host = process.env[value];
  return host === undefined ? [] : [`${value}=${host}`];
}

/**
 * --data-dir DIR (default $TINCAN_DATA_DIR): an absolute path. An empty one would silently mean the
 * default store, and a relative one a new store wherever the command happens to run.
 */
export function parseDataDir(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.startsWith('/')) return value;
  throw new UsageError(`--data-dir ${JSON.stringify(value)} (or TINCAN_DATA_DIR): want an absolute directory path`);
}

/** --ulimit NAME=SOFT[:HARD] (-1 or unlimited for no limit). */
export function parseUlimit(value: string): Ulimit {
  const m = /^([a-z]+)=(-1|unlimited|\d+)(?::(-1|unlimited|\d+))?$/.exec(value);
  if (!m) throw new UsageError(`--ulimit "${value}": want NAME=SOFT[:HARD], e.g. nofile=1024:4096`);
  const num = (s: string): number | 'unlimited' => (s === '-1' || s === 'unlimited' ? 'unlimited' : Number(s));
  const soft = num(m[2] as string);
  return { name: m[1] as string, soft, hard: m[3] === undefined ? soft : num(m[3]) };
}

function integer(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`${flag} "${value}": want an integer from ${min} to ${max}`);
  return Number(value);
}

export interface RunFlags {
  volume?: string[];
  env?: string[];
  workdir?: string;
  user?: string;
  hostname?: string;
  memory?: string;
  memorySwap?: string;
  cpus?: string;
  cpuWeight?: string;
  pidsLimit?: string;
  ioWeight?: string;
  ulimit?: string[];
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  net: string;
  userns: string;
  cgroups: string;
  readOnly?: boolean;
  entrypoint?: string;
  tmpfs?: string[];
  dataDir?: string;
  /** commander's --no-pivot: false when given */
  pivot?: boolean;
}

/** --tmpfs DIR[:OPTS], docker's options only. */
export function parseTmpfs(value: string): TmpfsSpec {
  const colon = value.indexOf(':');
  const target = colon < 0 ? value : value.slice(0, colon);
  if (!target.startsWith('/')) throw new UsageError(`--tmpfs "${value}": want an absolute container path, then :OPTIONS`);
  if (target.replace(/\/+/g, '/') === '/') throw new UsageError(`--tmpfs "${value}": cannot replace the root (use --read-only with tmpfs on the paths that need writes)`);
  try {
    return { target, ...parseTmpfsOptions(colon < 0 ? '' : value.slice(colon + 1)) };
  } catch (e) {
    throw new UsageError(`--tmpfs "${value}": ${(e as Error).message}`);
  }
}

function resources(f: RunFlags): CgroupLimits | undefined {
  const r: CgroupLimits = {};
  if (f.memory !== undefined || f.memorySwap !== undefined) r.memory = memoryFromDockerFlags({ ...(f.memory !== undefined ? { memory: f.memory } : {}), ...(f.memorySwap !== undefined ? { memorySwap: f.memorySwap } : {}) });
  if (f.cpus !== undefined || f.cpuWeight !== undefined) {
    r.cpu = {};
    if (f.cpus !== undefined) r.cpu.max = cpusToMax(f.cpus);
    if (f.cpuWeight !== undefined) r.cpu.weight = parseCpuWeight(f.cpuWeight);
  }
  if (f.pidsLimit !== undefined) r.pids = { max: f.pidsLimit === '-1' ? 'max' : integer('--pids-limit', f.pidsLimit, 1, 4194304) };
  if (f.ioWeight !== undefined) r.io = { weight: integer('--io-weight', f.ioWeight, 1, 10000) };
  return Object.keys(r).length ? r : undefined;
}

function securityOpts(opts: string[], spec: ContainerSpec): void {
  for (const o of opts) {
    const [key, val = ''] = o.split(/[=:](.*)/s);
    if (key === 'seccomp' && val) spec.seccomp = val as ContainerSpec['seccomp'];
    else if (key === 'no-new-privileges') {
      if (!['', 'true', 'false'].includes(val)) throw new UsageError(`--security-opt "${o}": want no-new-privileges[=true|false]`);
      spec.noNewPrivileges = val !== 'false';
    } else throw new UsageError(`--security-opt "${o}": unknown option (seccomp=default|contained|unconfined|PROFILE.json, no-new-privileges[=false])`);
  }
}

/** Command-line flags of `tincan run` → a ContainerSpec (values validated here, with the flag named). */
export function specFromFlags(rootfs: string, command: string[], f: RunFlags): ContainerSpec {
  if (!['none', 'host'].includes(f.net)) throw new UsageError(`--net "${f.net}": want none or host`);
  if (!['on', 'off'].includes(f.cgroups)) throw new UsageError(`--cgroups "${f.cgroups}": want on or off`);
  const spec: ContainerSpec = {
    // a path on the command line is relative to the user's cwd; anything else is an image reference
    rootfs: existsSync(rootfs) ? resolve(rootfs) : rootfs,
    // `run ROOTFS -- CMD`: the separator ends tincan's options, it is not the command
    command: command[0] === '--' ? command.slice(1) : command,
    env: (f.env ?? []).flatMap(parseEnv),
    volumes: (f.volume ?? []).map(parseVolume),
    tmpfs: (f.tmpfs ?? []).map(parseTmpfs),
    ulimits: (f.ulimit ?? []).map(parseUlimit),
    capAdd: f.capAdd ?? [],
    capDrop: f.capDrop ?? [],
    network: f.net as 'none' | 'host',
    cgroups: f.cgroups as 'on' | 'off',
    readOnly: f.readOnly ?? false,
  };
  if (f.userns === 'auto') spec.userns = 'auto';
  else if (f.userns !== 'host') {
    try {
      spec.userns = parseIdMap(f.userns);
    } catch (e) {
      throw new UsageError(`--userns "${f.userns}": ${(e as Error).message} (want host, auto or CONTAINER:HOST:SIZE[,...])`);
    }
  }
  const limits = resources(f);
  if (limits) spec.resources = limits;
  if (f.workdir !== undefined) spec.workdir = f.workdir;
  if (f.user !== undefined) spec.user = f.user;
  if (f.hostname !== undefined) spec.hostname = f.hostname;
  if (f.entrypoint !== undefined) spec.entrypoint = f.entrypoint === '' ? [] : [f.entrypoint];
  const dataDir = parseDataDir(f.dataDir);
  if (dataDir !== undefined) spec.dataDir = dataDir;
  if (f.pivot === false) spec.noPivot = true;
  securityOpts(f.securityOpt ?? [], spec);
  return spec;
}
