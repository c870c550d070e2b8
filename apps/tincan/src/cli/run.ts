import type { Readable } from 'node:stream';
import { SetupError } from '@tincan/nsexec';
import type { Container } from '../container';
import { createRuntime } from '../index';
import type { ContainerSpec } from '../spec';
import type { ProgressReporter } from './progress';
import { printTrace } from './trace';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/** Progress for a pull that `run` does: the bars load on the first event only (start-up time). */
async function pullProgress(): Promise<Pick<NonNullable<ContainerSpec['imageStore']>, 'onProgress' | 'log'>> {
  let reporter: ProgressReporter | undefined;
  const get = async () => (reporter ??= (await import('./progress')).progressReporter(false));
  let chain = Promise.resolve();
  const later = (fn: (r: ProgressReporter) => void) => void (chain = chain.then(async () => fn(await get())));
  process.once('beforeExit', () => reporter?.stop());
  return { onProgress: (e) => later((r) => r.update(e)), log: (line) => later((r) => r.log(line)) };
}

/** docker's exit codes for a command that could not start: 127 not found, 126 not executable. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof SetupError && e.step?.op === 'exec') return e.code === 'ENOENT' ? 127 : 126;
  return 125;
}

export interface RunOptions {
  trace: boolean;
  quiet: boolean;
  interactive: boolean;
  insecureRegistries: string[];
}

/**
 * The container's stdio are pipes that we relay, as docker does: never the caller's own fds (reopened
 * through /proc/self/fd/N they would give the container the caller's files, or its terminal).
 * stdin is /dev/null unless -i. A reader of our stdout that goes away (`| head -1`) closes the
 * container's pipe too, so its next write gets SIGPIPE as in a shell pipeline.
 */
function relayStdio(container: Container, interactive: boolean): () => void {
  const outputs: [Readable | null, NodeJS.WriteStream][] = [[container.stdout, process.stdout], [container.stderr, process.stderr]];
  for (const [from, to] of outputs) {
    if (!from) continue;
    from.pipe(to, { end: false });
    to.on('error', () => from.destroy());
  }
  if (!interactive || !container.stdin) return () => undefined;
  const stdin = container.stdin;
  stdin.on('error', () => process.stdin.unpipe(stdin));
  process.stdin.pipe(stdin);
  // once the container is gone, our stdin must not keep the process alive
  return () => process.stdin.destroy();
}

/** `tincan run`: start, pass signals through, exit with the container's status. */
export async function runContainer(spec: ContainerSpec, options: RunOptions): Promise<number> {
  if (options.trace) spec.onTrace = printTrace;
  spec.imageStore = { insecureRegistries: options.insecureRegistries, ...(options.quiet ? {} : await pullProgress()) };
  const container = await createRuntime().start({ ...spec, stdio: [options.interactive ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  const stopRelay = relayStdio(container, options.interactive);
  const forward = (sig: NodeJS.Signals) => container.kill(sig);
  for (const sig of FORWARDED) process.on(sig, forward);
  const result = await container.wait();
  stopRelay();
  for (const sig of FORWARDED) process.off(sig, forward);
  if (result.oomKilled) process.stderr.write('tincan: container was killed by the OOM killer (memory limit reached)\n');
  return result.code;
}
