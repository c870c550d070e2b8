import { RLIM_INFINITY, RLIMITS } from '@tincan/libc';
import type { Plugin } from '../pipeline/plugin';
import type { Ulimit } from '../spec';

function limitValue(v: number | 'unlimited'): bigint {
  return v === 'unlimited' || v === -1 ? RLIM_INFINITY : BigInt(v);
}

/** Resource limits (setrlimit), set while the process is still privileged. */
export function rlimitsPlugin(): Plugin {
  return {
    name: 'rlimits',
    prepare(ctx) {
      for (const u of ctx.spec.ulimits ?? []) ctx.program.add('rlimits', rlimitStep(u));
    },
  };
}

function rlimitStep(u: Ulimit) {
  const resource = (RLIMITS as Record<string, number>)[u.name];
  if (resource === undefined) throw new Error(`unknown ulimit "${u.name}" (known: ${Object.keys(RLIMITS).join(', ')})`);
  const soft = limitValue(u.soft);
  const hard = limitValue(u.hard);
  if (soft > hard) throw new Error(`ulimit ${u.name}: soft limit ${u.soft} is above hard limit ${u.hard}`);
  return { op: 'rlimit' as const, resource, soft, hard };
}
