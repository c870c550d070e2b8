import type { ContainerStep, MonitorStep, Step } from '@tincan/nsexec';
import { SETUP_ORDER, type SetupPhase } from './phases';

/** In-container steps collected per phase; emitted in SETUP_ORDER whatever order they were added in. */
export class PhasedSteps {
  // every program starts by closing the fds the process inherited: not a plugin's choice to leave out
  private readonly byPhase = new Map<SetupPhase, ContainerStep[]>(SETUP_ORDER.map((p) => [p, p === 'fds' ? [{ op: 'closeFds' }] : []]));

  add(phase: SetupPhase, steps: ContainerStep[]): void {
    const list = this.byPhase.get(phase);
    if (!list) throw new Error(`unknown setup phase "${phase}"`);
    list.push(...steps);
  }

  /** Steps in setup order, each with its phase (for --trace). */
  ordered(): { phase: SetupPhase; step: ContainerStep }[] {
    return SETUP_ORDER.flatMap((phase) => (this.byPhase.get(phase) ?? []).map((step) => ({ phase, step })));
  }
}

export interface ProgramParts {
  joins: MonitorStep[];
  cloneFlags: number;
  cgroupPath: string | undefined;
  attachSteps: MonitorStep[];
  /** A plugin has an attach hook: the container waits for the parent before setup. */
  awaitParent: boolean;
  container: PhasedSteps;
}

/** The whole program for nsexec and, per step, the name of its phase. */
export function assembleProgram(parts: ProgramParts): { steps: Step[]; phases: string[] } {
  const head: { phase: string; step: Step }[] = [
    ...parts.joins.map((step) => ({ phase: 'namespaces', step })),
    { phase: 'clone', step: { op: 'clone', flags: parts.cloneFlags, ...(parts.cgroupPath ? { cgroup: parts.cgroupPath } : {}) } },
    ...parts.attachSteps.map((step) => ({ phase: 'attach', step })),
    ...(parts.awaitParent ? [{ phase: 'attach', step: { op: 'awaitParent' } as const }] : []),
    { phase: 'attach', step: { op: 'release' } },
  ];
  const all = [...head, ...parts.container.ordered()];
  return { steps: all.map((s) => s.step), phases: all.map((s) => s.phase) };
}
