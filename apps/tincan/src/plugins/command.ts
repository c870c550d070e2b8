import type { Plugin } from '../pipeline/plugin';
import { getShared, PROCESS_USER, ROOTFS } from '../pipeline/shared';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** KEY=VALUE lists merged left to right: later keys replace earlier ones. */
export function mergeEnv(...lists: (string[] | undefined)[]): string[] {
  const env = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list ?? []) {
      const eq = entry.indexOf('=');
      if (eq <= 0) throw new Error(`invalid environment entry "${entry}" (want KEY=VALUE)`);
      env.set(entry.slice(0, eq), entry);
    }
  }
  return [...env.values()];
}

/** The command: image Entrypoint + Cmd unless given; env, working directory, then execve. */
export function commandPlugin(): Plugin {
  return {
    name: 'command',
    prepare(ctx) {
      const defaults = getShared(ctx, ROOTFS)?.defaults ?? {};
      // docker semantics: a given command replaces Cmd, a given entrypoint replaces Entrypoint
      const entrypoint = ctx.spec.entrypoint ?? defaults.entrypoint ?? [];
      const argv = [...entrypoint, ...(ctx.spec.command?.length ? ctx.spec.command : (defaults.cmd ?? []))];
      if (argv.length === 0) throw new Error('no command given and the image has no Entrypoint or Cmd');
      const user = getShared(ctx, PROCESS_USER);
      // HOME from the user's passwd entry, as docker sets it
      const home = user?.home ?? ((user?.uid ?? 0) === 0 ? '/root' : '/');
      const env = mergeEnv([DEFAULT_PATH, `HOME=${home}`], defaults.env, ctx.spec.env);
      const cwd = ctx.spec.workdir ?? (defaults.workingDir || '/');
      ctx.program.add('cwd', { op: 'chdir', path: cwd });
      ctx.program.add('exec', { op: 'exec', file: argv[0] as string, argv, env });
    },
  };
}
