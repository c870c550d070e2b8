/** The fast-check `Parameters` fields we set (testkit does not depend on fast-check). */
export interface FuzzParameters {
  seed: number;
  numRuns: number;
  endOnFailure: boolean;
}

/**
 * fast-check settings for the fuzz suites: a fixed seed and a short run in the package tests (CI), a long
 * run with a fresh seed from fuzz/run.mjs (FUZZ_RUNS, FUZZ_SEED). A failure prints the seed and path that replay it.
 */
export function fuzzParameters(ciRuns: number): FuzzParameters {
  return {
    seed: Number(process.env.FUZZ_SEED ?? 20_130_613),
    numRuns: Number(process.env.FUZZ_RUNS ?? ciRuns),
    endOnFailure: true,
  };
}

/** The long run's budget per test (jest's own timeout is per test, whatever numRuns is). */
export const FUZZ_TIMEOUT_MS = Number(process.env.FUZZ_TIMEOUT_MS ?? 120_000);

/** A message a user may see: one line, bounded (every quoted value is at most 200 characters). */
export function isOneBoundedLine(message: string): boolean {
  return !/[\u0000-\u001f\u007f-\u009f]/.test(message) && message.length <= 2100;
}
