import type { ExitStatus } from '@tincan/nsexec';
import type { ContainerSpec } from '../spec';
import type { Leftover } from './orphans';
import type { ProgramBuilder } from './program';

/** What the pipeline knows about the container being created; plugins read and extend it. */
export interface PipelineContext {
  readonly id: string;
  readonly spec: ContainerSpec;
  /** Private per-container state directory (/run/tincan/<id>), removed at cleanup. */
  readonly stateDir: string;
  /** The setup program plugins build: namespaces, cgroup, monitor steps, and in-container steps by phase. */
  readonly program: ProgramBuilder;
  /** Values plugins hand to later plugins (e.g. the rootfs's image defaults); keyed by plugin name. */
  readonly shared: Map<string, unknown>;
  /** Run `fn` at cleanup (reverse order of registration), whatever happened. */
  onCleanup(fn: () => void | Promise<void>): void;
  /** Note a host resource to remove should this process die before cleanup (a later start reaps it). */
  recordLeftover(leftover: Leftover): void;
}

/** How a container ended, as plugins see it at cleanup. */
export interface RunResult {
  status: ExitStatus | undefined;
  error: Error | undefined;
}

/**
 * A plugin contributes one concern to the runtime. Every hook is optional:
 *   prepare   in the parent, before the process exists: validate, allocate, add steps
 *   attach    in the parent, after clone, while the container waits (e.g. network setup)
 *   started   after the command was exec'd
 *   cleanup   always, in reverse plugin order
 *   reap      at a later start, for the leftovers of a container whose owning process died
 */
export interface Plugin {
  readonly name: string;
  prepare?(ctx: PipelineContext): void | Promise<void>;
  attach?(ctx: PipelineContext, pid: number): void | Promise<void>;
  started?(ctx: PipelineContext, pid: number): void | Promise<void>;
  cleanup?(ctx: PipelineContext, result: RunResult): void | Promise<void>;
  /** Remove what this plugin recorded with ctx.recordLeftover({ kind: 'plugin', ... }) for a container whose owner died. */
  reap?(data: unknown): void | Promise<void>;
}
