import type { TraceRecord } from '../spec';

/** --trace: one line per isolation step, in the order they ran, with syscalls, result and time. */
export function printTrace(r: TraceRecord): void {
  const ms = r.durationMs.toFixed(3).padStart(8);
  const result = r.ok ? 'ok' : `failed (errno ${r.errno})`;
  process.stderr.write(`[trace] ${ms} ms  ${r.phase.padEnd(12)} ${r.description}  — ${r.syscalls}: ${result}\n`);
}
