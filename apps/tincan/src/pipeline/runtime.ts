import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { describeStep, startProcess, stepSyscalls } from '@tincan/nsexec';
import { Container } from '../container';
import type { ContainerSpec } from '../spec';
import type { PipelineContext, Plugin, RunResult } from './plugin';
import { createStateDir, reapOrphans, recordLeftover } from './orphans';
import { ProgramBuilder } from './program';

/** Where per-container state directories live. */
export const STATE_ROOT = process.env.TINCAN_STATE_DIR ?? '/run/tincan';

/** A plugin list that is not a valid runtime (duplicate or missing names). */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
}

/**
 * A runtime is an ordered list of plugins. `start` runs their prepare hooks, assembles the setup
 * program, creates the process, runs attach hooks while it waits, and cleans up when it exits.
 */
export class Runtime {
  private plugins: Plugin[];

  constructor(plugins: Plugin[]) {
    this.plugins = [];
    for (const p of plugins) this.use(p);
  }

  get pluginNames(): string[] {
    return this.plugins.map((p) => p.name);
  }

  /** Add a plugin at the end, or before/after a named one. */
  use(plugin: Plugin, where: { before?: string; after?: string } = {}): this {
    if (this.plugins.some((p) => p.name === plugin.name)) throw new PipelineError(`plugin "${plugin.name}" is already in the runtime`);
    const anchor = where.before ?? where.after;
    if (anchor === undefined) {
      this.plugins.push(plugin);
      return this;
    }
    const i = this.indexOf(anchor);
    this.plugins.splice(where.before !== undefined ? i : i + 1, 0, plugin);
    return this;
  }

  remove(name: string): this {
    this.plugins.splice(this.indexOf(name), 1);
    return this;
  }

  replace(name: string, plugin: Plugin): this {
    this.plugins[this.indexOf(name)] = plugin;
    return this;
  }

  private indexOf(name: string): number {
    const i = this.plugins.findIndex((p) => p.name === name);
    if (i < 0) throw new PipelineError(`no plugin named "${name}" (have: ${this.pluginNames.join(', ')})`);
    return i;
  }

  /** Create and start a container; resolves once its command runs, rejects (after cleanup) if setup fails. */
  async start(spec: ContainerSpec): Promise<Container> {
    // namespaces, mounts and cgroups are created with host privileges (no rootless mode yet)
    if (process.getuid?.() !== 0) throw new PipelineError(`root is needed to create containers (running as uid ${process.getuid?.()})`);
    await reapOrphans(STATE_ROOT, (name, data) => this.plugins.find((p) => p.name === name)?.reap?.(data));
    const id = newContainerId();
    const stateDir = createStateDir(STATE_ROOT, id);
    const cleanups: (() => void | Promise<void>)[] = [() => rmSync(stateDir, { recursive: true, force: true })];
    const ctx: PipelineContext = {
      id,
      spec,
      stateDir,
      program: new ProgramBuilder(),
      shared: new Map(),
      onCleanup: (fn) => void cleanups.push(fn),
      recordLeftover: (leftover) => recordLeftover(stateDir, leftover),
    };
    const prepared: Plugin[] = [];
    let cleaned: Promise<void> | undefined;
    // once only: a failed start and the container's exit both lead here
    const cleanup = (result: RunResult) =>
      (cleaned ??= (async () => {
        for (const p of [...prepared].reverse()) await swallow(() => p.cleanup?.(ctx, result));
        for (const fn of cleanups.reverse()) await swallow(fn);
      })());
    try {
      for (const p of this.plugins) {
        prepared.push(p);
        // hrtime, not performance.now(): the global loads perf_hooks, milliseconds of CLI start-up
        const t0 = process.hrtime.bigint();
        await p.prepare?.(ctx);
        spec.onTrace?.({ phase: 'prepare', description: `plugin ${p.name}`, syscalls: 'parent side', ok: true, errno: 0, durationMs: Number(process.hrtime.bigint() - t0) / 1e6 });
      }
      const attaching = this.plugins.filter((p) => p.attach);
      const { steps, phases } = ctx.program.assemble({ awaitParent: attaching.length > 0 });
      const proc = startProcess({ steps, stdio: spec.stdio ?? 'inherit', trace: spec.onTrace !== undefined });
      const onTrace = spec.onTrace;
      if (onTrace) {
        proc.on('trace', (e) =>
          onTrace({ phase: phases[e.index] ?? '?', description: describeStep(e.step), syscalls: stepSyscalls(e.step), ok: e.errno === 0, errno: e.errno, durationMs: e.durationNs / 1e6 }),
        );
        // a successful execve never returns, so the native side cannot time it: report it when seen
        const exec = steps[steps.length - 1];
        proc.on('started', () => exec && onTrace({ phase: 'exec', description: describeStep(exec), syscalls: stepSyscalls(exec), ok: true, errno: 0, durationMs: 0 }));
      }
      const handle = new Container(id, proc, ctx, cleanup);
      try {
        const pid = await proc.pid;
        for (const p of attaching) await p.attach?.(ctx, pid);
        if (attaching.length > 0) proc.release();
        await proc.started;
        for (const p of this.plugins) await p.started?.(ctx, pid);
      } catch (e) {
        proc.kill('SIGKILL');
        await handle.wait().catch(() => undefined);
        throw e;
      }
      return handle;
    } catch (e) {
      await cleanup({ status: undefined, error: e instanceof Error ? e : new Error(String(e)) });
      throw e;
    }
  }

  /** Start a container and wait for it to exit. */
  async run(spec: ContainerSpec): Promise<Awaited<ReturnType<Container['wait']>>> {
    return (await this.start(spec)).wait();
  }
}

/** 12 random hex digits, read from /dev/urandom (node:crypto costs milliseconds to load). */
function newContainerId(): string {
  const buf = Buffer.alloc(6);
  const fd = openSync('/dev/urandom', 'r');
  try {
    readSync(fd, buf);
  } finally {
    closeSync(fd);
  }
  return buf.toString('hex');
}

/** Cleanup continues past a failing step; the first failure is not lost, it is printed. */
async function swallow(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    process.emitWarning(`tincan cleanup: ${(e as Error).message}`);
  }
}
