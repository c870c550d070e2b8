import { SetupError } from '@tincan/nsexec';
import { createRuntime } from '../index';
import type { ContainerSpec } from '../spec';
import { printTrace } from './trace';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** docker's exit codes for a command that could not start: 127 not found, 126 not executable. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof SetupError && e.step?.op === 'exec') return e.code === 'ENOENT' ? 127 : 126;
  return 125;
}

/** `tincan run`: start, pass signals through, exit with the container's status. */
export async function runContainer(spec: ContainerSpec, trace: boolean): Promise<number> {
  if (trace) spec.onTrace = printTrace;
  const container = await createRuntime().start({ ...spec, stdio: 'inherit' });
  const forward = (sig: NodeJS.Signals) => container.kill(sig);
  for (const sig of FORWARDED) process.on(sig, forward);
  const result = await container.wait();
  for (const sig of FORWARDED) process.off(sig, forward);
  if (result.oomKilled) process.stderr.write('tincan: container was killed by the OOM killer (memory limit reached)\n');
  return result.code;
}
