// Fuzzing the profile loader and the compiler with a fixed seed (FUZZ_SEED picks others, FUZZ_RUNS more):
// hostile JSON only ever ends as a one-line SeccompProfileError, and every profile that loads compiles to a
// program whose verdicts the reference evaluator agrees with, whatever the high halves of the arguments hold.
import { prng } from '@tincan/testkit';
import { AUDIT_ARCH, compile, loadProfile, profiles, SeccompProfileError, syscallNumber, type SeccompProfile } from '../src';
import { verdict } from './bpf-interpreter';
import { toDockerJson } from './docker-json';
import { expected } from './reference';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const random = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
const int = (n: number): number => Math.floor(random() * n);

/** A hostile value: scalars of every kind, deep nesting, huge strings, control characters. */
function hostile(): unknown {
  return pick<() => unknown>([
    () => int(2 ** 31) - 2 ** 30,
    () => 2 ** 64,
    () => -1,
    () => 1.5,
    () => null,
    () => true,
    () => 'SCMP_ACT_ERRNO',
    () => 'x'.repeat(int(200_000)),
    () => 'a\nb\u0000c\u001b[2J',
    () => [],
    () => ({}),
    () => JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`) as unknown,
    () => [pick(['read', 'write', 'socket', 'ioctl', 7])],
    () => ({ index: int(8), op: pick(['SCMP_CMP_EQ', 'SCMP_CMP_MASKED_EQ', 'SCMP_CMP_NOPE']), value: int(100) }),
  ])();
}

/** Replace one node of `doc` (a parsed docker profile) with a hostile value. */
function mutate(doc: unknown): unknown {
  if (doc === null || typeof doc !== 'object' || random() < 0.2) return hostile();
  const copy: Record<string, unknown> | unknown[] = Array.isArray(doc) ? [...doc] : { ...(doc as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const key = keys.length === 0 || random() < 0.1 ? pick(['names', 'action', 'args', 'index', 'flags', 'junk', '0']) : pick(keys);
  (copy as Record<string, unknown>)[key] = mutate((copy as Record<string, unknown>)[key]);
  return copy;
}

const NAMES = ['read', 'write', 'socket', 'ioctl', 'clone', 'chmod', 'personality', 'prctl', 'unshare', 'getpid'] as const;

/** A random valid profile over a few syscalls, with argument conditions of every operator. */
function randomProfile(): SeccompProfile {
  const action = () => pick(['allow', 'errno', 'kill_process', 'trap', 'log'] as const);
  const cond = () => {
    const op = pick(['EQ', 'NE', 'LT', 'LE', 'GT', 'GE', 'MASKED_EQ'] as const);
    const small = () => (random() < 0.5 ? int(64) : int(2 ** 31));
    return { index: int(3) as 0 | 1 | 2, op, value: small(), ...(op === 'MASKED_EQ' ? { valueTwo: small() } : {}) };
  };
  return {
    defaultAction: pick(['allow', 'errno', 'kill_process'] as const),
    syscalls: Array.from({ length: 1 + int(6) }, () => ({
      names: [pick(NAMES)],
      action: action(),
      ...(random() < 0.7 ? { args: [cond(), ...(random() < 0.3 ? [cond()] : [])] } : {}),
    })),
  };
}

describe(`fuzzing the seccomp profile loader and compiler (seed ${SEED})`, () => {
  const seeds = [JSON.parse(toDockerJson(profiles.default)) as unknown, JSON.parse(toDockerJson(profiles.contained)) as unknown];

  it(`${RUNS} mutated profiles: loaded, or refused with a one-line SeccompProfileError of bounded length`, () => {
    for (let i = 0; i < RUNS; i++) {
      const doc = mutate(pick(seeds));
      try {
        const profile = loadProfile(doc);
        compile(profile, { arch: 'x86_64' });
      } catch (e) {
        expect(e).toBeInstanceOf(SeccompProfileError);
        const message = (e as Error).message;
        expect(message.length).toBeLessThanOrEqual(501);
        expect(message).not.toMatch(/[\u0000-\u001f]/);
      }
    }
  });

  it(`${RUNS} random profiles: the compiled program and the reference agree on every input, high halves included`, () => {
    const arch = 'x86_64';
    let compiled = 0;
    for (let i = 0; i < RUNS; i++) {
      const profile = randomProfile();
      let program: Buffer;
      try {
        program = compile(profile, { arch });
      } catch (e) {
        // a value wider than the argument the kernel reads (a 16-bit mode) is refused, by design
        expect((e as Error).message).toMatch(/does not fit in \w+'s argument \d: the kernel reads (16|32) bits/);
        continue;
      }
      compiled++;
      for (let j = 0; j < 20; j++) {
        const nr = syscallNumber(pick(NAMES), arch) as number;
        const args = Array.from({ length: 6 }, () => (BigInt(int(2 ** 32)) << 32n) * BigInt(int(2)) + BigInt(random() < 0.5 ? int(64) : int(2 ** 32)));
        const input = { nr, arch: AUDIT_ARCH[arch], args };
        expect(verdict(program, input)).toEqual(expected(profile, { arch }, input));
      }
    }
    expect(compiled).toBeGreaterThan(RUNS / 2);
  });
});
