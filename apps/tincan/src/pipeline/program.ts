import { constants } from 'node:os';
import type { ContainerStep, MonitorStep, Step } from '@tincan/nsexec';
import { SETUP_ORDER, type SetupPhase } from './phases';

/** The signals the monitor passes on to the container's init (a terminal's, and the ones a service manager sends). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT'];

/**
 * The setup program of one container, as the plugins build it: the namespaces it creates or joins, the
 * cgroup it is created in, the steps the monitor runs while it waits, and its own steps by phase. Steps
 * come out in SETUP_ORDER whatever order plugins add them in.
 */
export class ProgramBuilder {
  private cloneFlags = 0;
  private readonly beforeCloneSteps: MonitorStep[] = [];
  private readonly monitorSteps: MonitorStep[] = [];
  private cgroup: string | undefined;
  // every program starts by closing the fds the process inherited: not a plugin's choice to leave out
  private readonly byPhase = new Map<SetupPhase, ContainerStep[]>(SETUP_ORDER.map((p) => [p, p === 'fds' ? [{ op: 'closeFds' }] : []]));

  /** Namespaces the container gets of its own (CLONE_NEW* flags). */
  createNamespaces(flags: number): this {
    this.cloneFlags |= flags;
    return this;
  }

  /** An existing namespace the container joins (setns before clone): /proc/PID/ns/TYPE or a bind-mounted ns file. */
  joinNamespace(path: string, nstype: number): this {
    return this.beforeClone({ op: 'joinNamespace', path, nstype });
  }

  /** Steps the monitor runs before the process exists (a device allowlist on its cgroup). */
  beforeClone(...steps: MonitorStep[]): this {
    this.beforeCloneSteps.push(...steps);
    return this;
  }

  /** The cgroup directory the process is created in (clone3 CLONE_INTO_CGROUP): one per container. */
  intoCgroup(path: string): this {
    if (this.cgroup !== undefined) throw new Error(`the container already goes into cgroup ${this.cgroup}`);
    this.cgroup = path;
    return this;
  }

  get cgroupPath(): string | undefined {
    return this.cgroup;
  }

  /** Steps the monitor runs after clone, with host privileges, while the container waits (uid/gid maps, id-mapped mounts). */
  monitor(...steps: MonitorStep[]): this {
    this.monitorSteps.push(...steps);
    return this;
  }

  /** The container's own steps for one phase of SETUP_ORDER. */
  add(phase: SetupPhase, ...steps: ContainerStep[]): this {
    const list = this.byPhase.get(phase);
    if (!list) throw new Error(`unknown setup phase "${phase}" (phases: ${SETUP_ORDER.join(', ')})`);
    list.push(...steps);
    return this;
  }

  /** The container's steps in setup order, each with its phase. */
  ordered(): { phase: SetupPhase; step: ContainerStep }[] {
    return SETUP_ORDER.flatMap((phase) => (this.byPhase.get(phase) ?? []).map((step) => ({ phase, step })));
  }

  /** The whole program for nsexec and, per step, the name of its phase (`awaitParent`: a plugin has an attach hook). */
  assemble(options: { awaitParent: boolean }): { steps: Step[]; phases: string[] } {
    const head: { phase: string; step: Step }[] = [
      { phase: 'namespaces', step: { op: 'forwardSignals', signals: FORWARDED_SIGNALS.map((s) => constants.signals[s]) } },
      ...this.beforeCloneSteps.map((step) => ({ phase: step.op === 'joinNamespace' ? 'namespaces' : 'cgroup', step })),
      { phase: 'clone', step: { op: 'clone', flags: this.cloneFlags, ...(this.cgroup ? { cgroup: this.cgroup } : {}) } },
      ...this.monitorSteps.map((step) => ({ phase: 'attach', step })),
      ...(options.awaitParent ? [{ phase: 'attach', step: { op: 'awaitParent' } as const }] : []),
      { phase: 'attach', step: { op: 'release' } },
    ];
    const all = [...head, ...this.ordered()];
    return { steps: all.map((s) => s.step), phases: all.map((s) => s.phase) };
  }
}
