import type { Readable, Writable } from 'node:stream';
import type { ContainerProcess, ExitStatus } from '@tincan/nsexec';
import type { PipelineContext, RunResult } from './pipeline/plugin';
import { getShared, OOM } from './pipeline/shared';

/** How a container ended, after everything it used was cleaned up. */
export interface ExitResult extends ExitStatus {
  /** The kernel's OOM killer ended it (memory.events oom_kill). */
  oomKilled: boolean;
}

/** A running container: its pid, stdio streams, exit status, and kill. */
export class Container {
  private readonly done: Promise<ExitResult>;

  constructor(
    readonly id: string,
    private readonly process: ContainerProcess,
    private readonly ctx: PipelineContext,
    cleanup: (result: RunResult) => Promise<void>,
  ) {
    this.done = process.exited.then(async (status) => {
      await cleanup({ status, error: process.error });
      return { ...status, oomKilled: getShared(ctx, OOM) === true };
    });
  }

  /** Host pid of the container's init (its PID 1). */
  get pid(): number {
    if (this.process.hostPid === undefined) throw new Error('container has no pid yet');
    return this.process.hostPid;
  }

  get stdin(): Writable | null {
    return this.process.stdin;
  }

  get stdout(): Readable | null {
    return this.process.stdout;
  }

  get stderr(): Readable | null {
    return this.process.stderr;
  }

  /** The per-container state directory (removed at exit). */
  get stateDir(): string {
    return this.ctx.stateDir;
  }

  /** Resolves when the container exited and its cgroup, mounts and state are gone. */
  wait(): Promise<ExitResult> {
    return this.done;
  }

  kill(signal: NodeJS.Signals | number = 'SIGTERM'): void {
    this.process.kill(signal);
  }
}
