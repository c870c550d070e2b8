// A seccomp filter compiled from docker's profile and loaded on a process of our own: no container.
import { startProcess } from '@tincan/nsexec';
import { compile, nativeArch, profiles } from '@tincan/seccomp-bpf';

/** Runs argv under docker's default seccomp profile (no_new_privs, as an unprivileged process needs). */
export async function runFiltered(argv: [string, ...string[]]): Promise<number> {
  const filter = compile(profiles.default, { arch: nativeArch() });
  const child = startProcess({
    steps: [{ op: 'clone', flags: 0 }, { op: 'release' }, { op: 'closeFds' }, { op: 'noNewPrivs' }, { op: 'seccomp', filter }, { op: 'exec', file: argv[0], argv, env: [] }],
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return (await child.exited).code;
}
