import type { ImageDefaults, ResolvedUser } from '@tincan/image';
import type { RootfsSpec } from '@tincan/mounts';
import type { IdMapping, NamespaceType } from '@tincan/namespaces';
import type { PipelineContext } from './plugin';

/** A typed key for values one plugin hands to the next through ctx.shared. */
export interface SharedKey<T> {
  readonly name: string;
  readonly _type?: T;
}

function key<T>(name: string): SharedKey<T> {
  return { name };
}

export function setShared<T>(ctx: PipelineContext, k: SharedKey<T>, value: T): void {
  ctx.shared.set(k.name, value);
}

export function getShared<T>(ctx: PipelineContext, k: SharedKey<T>): T | undefined {
  return ctx.shared.get(k.name) as T | undefined;
}

/** Like getShared, but the value is required: names the plugin that provides it. */
export function needShared<T>(ctx: PipelineContext, k: SharedKey<T>, consumer: string, provider: string): T {
  const v = getShared(ctx, k);
  if (v === undefined) throw new Error(`the ${consumer} plugin needs the ${provider} plugin earlier in the runtime`);
  return v;
}

export interface RootfsInfo {
  rootfs: RootfsSpec;
  defaults: ImageDefaults;
  /** Resolves "name", "uid", "name:group", "uid:gid" through the rootfs's /etc/passwd and /etc/group. */
  resolveUser(spec: string): Promise<ResolvedUser>;
}

export const ROOTFS = key<RootfsInfo>('rootfs');
/** Namespace types the container has of its own (created or joined). */
export const NAMESPACES = key<{ created: ReadonlySet<NamespaceType>; joined: ReadonlySet<NamespaceType> }>('namespaces');
/** The user namespace maps, when the container has a new user namespace. */
export const ID_MAPS = key<{ uidMap: IdMapping[]; gidMap: IdMapping[] }>('userns');
/** The user the command runs as (container ids). */
export const PROCESS_USER = key<{ uid: number; gid: number; home?: string }>('user');
/** The final capability names, for seccomp's capability-conditional rules. */
export const CAPABILITY_NAMES = key<string[]>('capabilities');
export const OOM = key<boolean>('cgroups.oomKilled');
