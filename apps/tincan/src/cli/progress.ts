import cliProgress from 'cli-progress';
import type { ProgressEvent } from '@tincan/image';

export interface ProgressReporter {
  update(e: ProgressEvent): void;
  log(line: string): void;
  stop(): void;
}

/** Per-layer progress bars (bytes, rate) on a terminal; plain log lines otherwise; nothing with --quiet. */
export function progressReporter(quiet: boolean): ProgressReporter {
  if (quiet) return { update: () => undefined, log: () => undefined, stop: () => undefined };
  if (!process.stderr.isTTY) return plainReporter();
  const multi = new cliProgress.MultiBar(
    { stream: process.stderr, format: ' {layer} |{bar}| {percentage}% {value_fmt}/{total_fmt} {rate}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; start: number }>();
  return {
    update(e) {
      let b = bars.get(e.digest);
      if (!b) {
        b = { bar: multi.create(e.total || 1, 0, payload(e, Date.now())), start: Date.now() };
        bars.set(e.digest, b);
      }
      b.bar.setTotal(e.total || 1);
      b.bar.update(e.bytes, payload(e, b.start));
    },
    log: (line) => multi.log(`${line}\n`),
    stop: () => multi.stop(),
  };
}

function payload(e: ProgressEvent, start: number): Record<string, string> {
  const secs = Math.max((Date.now() - start) / 1000, 0.001);
  return { layer: e.digest.replace(/^sha256:/, '').slice(0, 12), value_fmt: mb(e.bytes), total_fmt: mb(e.total), rate: `${mb(e.bytes / secs)}/s` };
}

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

function plainReporter(): ProgressReporter {
  const last = new Map<string, number>();
  return {
    update(e) {
      // one line per layer at start and at the end: logs stay readable
      const seen = last.get(e.digest);
      if (seen === undefined) process.stderr.write(`layer ${e.digest.slice(0, 19)}: ${mb(e.total)}\n`);
      if (e.done && seen !== -1) process.stderr.write(`layer ${e.digest.slice(0, 19)}: done\n`);
      last.set(e.digest, e.done ? -1 : e.bytes);
    },
    log: (line) => process.stderr.write(`${line}\n`),
    stop: () => undefined,
  };
}
