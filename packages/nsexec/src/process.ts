import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { constants } from 'node:os';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { errnoName } from '@tincan/libc-core';
import { PROGRAM_FLAGS } from './ops';
import { describeStep, encodeProgram, type Step } from './program';

/**
 * The native helper: beside this module (the package's dist, or a bundle that ships a copy), else
 * resolved through the package. TINCAN_NSEXEC overrides both.
 */
export function helperPath(): string {
  if (process.env.TINCAN_NSEXEC) return process.env.TINCAN_NSEXEC;
  const beside = join(__dirname, 'tincan-nsexec');
  return existsSync(beside) ? beside : createRequire(__filename).resolve('@tincan/nsexec/tincan-nsexec');
}

export type StdioEntry = 'inherit' | 'pipe' | 'ignore' | number;

export interface StartOptions {
  /** The setup program; see program.ts. */
  steps: Step[];
  /** stdin, stdout, stderr of the container (default: inherit). */
  stdio?: StdioEntry | [StdioEntry, StdioEntry, StdioEntry];
  /** Report every step with its duration ('trace' events). */
  trace?: boolean;
}

/** A finished step, as reported by the native side. */
export interface TraceEvent {
  index: number;
  step: Step;
  errno: number;
  durationNs: number;
}

/** How the container's init ended: shell-style code (128+N for signal N) and the signal name. */
export interface ExitStatus {
  code: number;
  signal: NodeJS.Signals | null;
}

/** A setup step failed inside or outside the container: it never ran its command. */
export class SetupError extends Error {
  override readonly name = 'SetupError';
  readonly code: string;
  constructor(
    readonly index: number,
    readonly step: Step | undefined,
    readonly errno: number,
    detail: string,
  ) {
    super(detail);
    this.code = errnoName(errno);
  }
}

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, num]) => [num, name as NodeJS.Signals]),
);

/**
 * A container process being created or running. Resolves `pid` once clone3 returned, `started`
 * once the command was exec'd (rejects with SetupError otherwise) and `exited` when init exits.
 */
export class ContainerProcess extends EventEmitter {
  readonly pid: Promise<number>;
  readonly started: Promise<void>;
  readonly exited: Promise<ExitStatus>;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** The host pid of the container's init, once known. */
  hostPid: number | undefined;
  private readonly monitor: ChildProcess;
  private setupError: SetupError | undefined;

  constructor(private readonly steps: Step[], options: StartOptions) {
    super();
    const program = encodeProgram(steps, options.trace ? PROGRAM_FLAGS.trace : 0);
    const io = options.stdio ?? 'inherit';
    const stdio = (Array.isArray(io) ? [...io, 'pipe'] : [io, io, io, 'pipe']) as StdioOptions;
    // the monitor gets an empty environment: the container's comes from the exec step
    this.monitor = spawn(helperPath(), [String(process.pid)], { stdio, env: {} });
    this.stdin = this.monitor.stdin;
    this.stdout = this.monitor.stdout;
    this.stderr = this.monitor.stderr;
    const ctl = this.monitor.stdio[3] as unknown as Writable & Readable;
    ctl.write(program);

    let resolvePid!: (pid: number) => void;
    let rejectPid!: (e: Error) => void;
    let resolveStarted!: () => void;
    let rejectStarted!: (e: Error) => void;
    this.pid = new Promise((res, rej) => ((resolvePid = res), (rejectPid = rej)));
    this.started = new Promise((res, rej) => ((resolveStarted = res), (rejectStarted = rej)));
    // callers that only await `exited` must not see an unhandled rejection
    this.pid.catch(() => undefined);
    this.started.catch(() => undefined);

    let exitLine: ExitStatus | undefined;
    let buffered = '';
    ctl.setEncoding('utf8');
    ctl.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const [kind, a = '', b = '', ...rest] = line.split(' ');
        if (kind === 'P') {
          this.hostPid = Number(a);
          resolvePid(this.hostPid);
          this.emit('pid', this.hostPid);
        } else if (kind === 'T') {
          const ev: TraceEvent = { index: Number(a), step: this.steps[Number(a)] as Step, errno: Number(b), durationNs: Number(rest[0]) };
          this.emit('trace', ev);
        } else if (kind === 'E') {
          const idx = Number(a);
          const step = this.steps[idx];
          this.setupError = new SetupError(idx, step, Number(b), `${step ? describeStep(step) : `step ${idx}`}: ${rest.join(' ')}`);
        } else if (kind === 'S') {
          resolveStarted();
          this.emit('started');
        } else if (kind === 'X') {
          const sig = Number(b);
          exitLine = { code: Number(a), signal: sig ? (SIGNAL_NAMES.get(sig) ?? null) : null };
        }
      }
    });
    ctl.on('error', () => undefined);

    this.exited = new Promise((resolve, reject) => {
      this.monitor.on('error', (e) => {
        rejectPid(e);
        rejectStarted(e);
        reject(e);
      });
      this.monitor.on('close', (code, signal) => {
        const status = exitLine ?? monitorStatus(code, signal);
        const failure = this.setupError ?? (exitLine ? undefined : new SetupError(-1, undefined, 0, `tincan-nsexec ended without starting the container (${signal ?? `exit ${code}`})`));
        if (failure) {
          rejectPid(failure);
          rejectStarted(failure);
        }
        this.emit('exit', status);
        resolve(status);
      });
    });
  }

  /** The setup error, if the container failed before exec. */
  get error(): SetupError | undefined {
    return this.setupError;
  }

  /** Let a program with an awaitParent step continue (after parent-side work on `pid`). */
  release(): void {
    (this.monitor.stdio[3] as unknown as Writable).write('G');
  }

  /** Send a signal to the container's init (to the monitor before init exists). */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): void {
    try {
      if (this.hostPid !== undefined) process.kill(this.hostPid, signal);
      else this.monitor.kill(signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
}

function monitorStatus(code: number | null, signal: NodeJS.Signals | null): ExitStatus {
  if (signal) return { code: 128 + (constants.signals[signal] ?? 0), signal };
  return { code: code ?? 125, signal: null };
}

/** Create a container process by running a setup program in tincan-nsexec. */
export function startProcess(options: StartOptions): ContainerProcess {
  return new ContainerProcess(options.steps, options);
}
