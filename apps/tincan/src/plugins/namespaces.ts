import { planNamespaces, type NamespaceSpec, type NamespaceType } from '@tincan/namespaces';
import type { Plugin } from '../pipeline/plugin';
import { NAMESPACES, setShared } from '../pipeline/shared';
import type { ContainerSpec } from '../spec';

/** The namespaces a container gets when the spec names none: all but time, user only when remapped. */
export function defaultNamespaces(spec: ContainerSpec): NamespaceType[] {
  const types: NamespaceType[] = ['mount', 'pid', 'uts', 'ipc', 'cgroup'];
  if (spec.network !== 'host') types.push('net');
  if (spec.userns !== undefined && spec.userns !== 'host') types.push('user');
  return types;
}

/** Namespaces: which to create (clone flags) and which to join (setns before clone). */
export function namespacesPlugin(): Plugin {
  return {
    name: 'namespaces',
    prepare(ctx) {
      const created = ctx.spec.namespaces ?? defaultNamespaces(ctx.spec);
      const joins = Object.entries(ctx.spec.joinNamespaces ?? {}) as [NamespaceType, string][];
      const specs: NamespaceSpec[] = [
        ...created.filter((t) => !joins.some(([j]) => j === t)).map((type) => ({ type })),
        ...joins.map(([type, path]) => ({ type, path })),
      ];
      const plan = planNamespaces(specs);
      ctx.program.createNamespaces(plan.cloneFlags);
      for (const j of plan.joins) ctx.program.joinNamespace(j.path, j.flag);
      setShared(ctx, NAMESPACES, { created: new Set(specs.filter((s) => !s.path).map((s) => s.type)), joined: new Set(joins.map(([t]) => t)) });
    },
  };
}
