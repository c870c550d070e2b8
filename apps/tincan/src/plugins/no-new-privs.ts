import type { Plugin } from '../pipeline/plugin';

/** no_new_privs (default on): setuid binaries and file capabilities cannot raise privileges. */
export function noNewPrivsPlugin(): Plugin {
  return {
    name: 'no-new-privs',
    prepare(ctx) {
      if (ctx.spec.noNewPrivileges !== false) ctx.program.add('no_new_privs', { op: 'noNewPrivs' });
    },
  };
}
