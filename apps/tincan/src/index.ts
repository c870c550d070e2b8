/**
 * tincan — a Linux container runtime for Node.js. Embed it:
 *
 *   const runtime = createRuntime();
 *   const c = await runtime.start({ rootfs: './rootfs', command: ['echo', 'hi'], stdio: 'pipe' });
 *   const { code } = await c.wait();
 */
import { Runtime } from './pipeline/runtime';
import { defaultPlugins } from './plugins';
import type { Plugin } from './pipeline/plugin';

export { Runtime, PipelineError, STATE_ROOT } from './pipeline/runtime';
export { SETUP_ORDER, type SetupPhase } from './pipeline/phases';
export type { Plugin, PipelineContext, RunResult } from './pipeline/plugin';
export { getShared, setShared, needShared, type SharedKey } from './pipeline/shared';
export * as shared from './pipeline/shared';
export { Container, type ExitResult } from './container';
export type { ContainerSpec, UserSpec, Ulimit, TraceRecord } from './spec';
export * from './plugins';
export { SetupError } from '@tincan/nsexec';

/** A runtime with the default plugins, or the ones given. */
export function createRuntime(plugins: Plugin[] = defaultPlugins()): Runtime {
  return new Runtime(plugins);
}
