import { isAbsolute } from 'node:path';
import { NamespaceSpecError } from './errors';
import { assertKernelSupports, namespaceFileType } from './ns-file';
import { cloneFlag, isNamespaceType, type NamespaceType } from './types';

/** One namespace of a container process: a new one (no path) or an existing one to join. */
export interface NamespaceSpec {
  type: NamespaceType;
  /** Absolute path of a namespace file to join, e.g. /proc/PID/ns/net or a bind-mounted ns file. */
  path?: string;
}

export interface NamespaceJoin {
  type: NamespaceType;
  path: string;
  flag: number;
}

/**
 * What to do, in this order: setns(2) into each of `joins`, then create `cloneFlags` (clone/unshare),
 * so that new namespaces are owned by a joined user namespace, and existing namespaces owned by the
 * host are joined while the process still has host capabilities.
 */
export interface NamespacePlan {
  /** OR of CLONE_NEW* for the namespaces to create. */
  cloneFlags: number;
  /** The namespaces to join, in the order the kernel needs. */
  joins: NamespaceJoin[];
  /** Every type in the plan (created or joined); a type not here is shared with the caller. */
  types: ReadonlySet<NamespaceType>;
}

/**
 * Join order (runc's): user first, because setns into any other namespace needs CAP_SYS_ADMIN in the
 * user namespace that owns it, and joining that user namespace is what grants it; mount after the others,
 * because setns into a mount namespace also changes root and cwd (the executor opens every path first).
 */
export const JOIN_ORDER: readonly NamespaceType[] = ['user', 'ipc', 'uts', 'net', 'pid', 'mount', 'cgroup', 'time'];

function checkType(spec: NamespaceSpec, seen: ReadonlySet<NamespaceType>): NamespaceType {
  const type: unknown = spec.type;
  if (!isNamespaceType(type)) throw new NamespaceSpecError(`unknown namespace type: ${JSON.stringify(type)}`);
  if (seen.has(type)) throw new NamespaceSpecError(`namespace type "${type}" given twice`);
  return type;
}

function checkJoinPath(type: NamespaceType, path: string): void {
  if (!isAbsolute(path)) throw new NamespaceSpecError(`${type} namespace path must be absolute: ${JSON.stringify(path)}`);
  const actual = namespaceFileType(path);
  if (actual !== type) throw new NamespaceSpecError(`${path} is a ${actual} namespace, not ${type}`);
}

/** Validate specs against this kernel and the given namespace files, and order them for the executor. */
export function planNamespaces(specs: readonly NamespaceSpec[]): NamespacePlan {
  const types = new Set<NamespaceType>();
  const joins: NamespaceJoin[] = [];
  let cloneFlags = 0;
  for (const spec of specs) {
    const type = checkType(spec, types);
    assertKernelSupports(type);
    types.add(type);
    if (spec.path === undefined) {
      cloneFlags |= cloneFlag(type);
    } else {
      checkJoinPath(type, spec.path);
      joins.push({ type, path: spec.path, flag: cloneFlag(type) });
    }
  }
  joins.sort((a, b) => JOIN_ORDER.indexOf(a.type) - JOIN_ORDER.indexOf(b.type));
  return { cloneFlags, joins, types };
}
