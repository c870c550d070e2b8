// Fuzzing `tincan run`'s flag values with a fixed seed (FUZZ_SEED picks others, FUZZ_RUNS more): every
// value ends as a spec or as a typed error naming the problem, never as JavaScript's own error (the CLI
// prints messages escaped on one line: test/e2e/bad-input.test.ts).
import { prng } from '@tincan/testkit';
import { specFromFlags, type RunFlags } from '../src/cli/options';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_206);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const random = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

const PIECES = ['', '/', '/a', 'a', ':', '::', ',', '=', 'ro', 'rw', 'size=', '64m', '-1', '0', '1.5', '1e9', '99999999999999999999',
  'unlimited', 'nofile', 'ALL', 'CAP_SYS_ADMIN', 'seccomp=', 'no-new-privileges', 'host', 'auto', '0:100000:65536', '\t', '\n', '\u0000',
  'é', '\u202e', '%', '..', 'x'.repeat(3000), 'exec', 'dev', 'mode=1777', 'uid=4294967296', 'rshared', 'bind', 'default'];
const value = (): string => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(PIECES)).join('');
const maybe = (): string | undefined => (random() < 0.5 ? value() : undefined);
const list = (): string[] => Array.from({ length: Math.floor(random() * 3) }, value);
const BUGS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError']);

describe(`fuzzing run flags (seed ${SEED})`, () => {
  it(`${RUNS} flag sets: a spec, or a typed error`, () => {
    for (let i = 0; i < RUNS; i++) {
      const optional = { memory: maybe(), memorySwap: maybe(), cpus: maybe(), cpuWeight: maybe(), pidsLimit: maybe(), ioWeight: maybe(), workdir: maybe(), user: maybe(), hostname: maybe(), entrypoint: maybe(), dataDir: maybe() };
      const flags: RunFlags = {
        volume: list(), env: list(), ulimit: list(), capAdd: list(), capDrop: list(), securityOpt: list(), tmpfs: list(),
        net: pick(['none', 'host', value()]), userns: pick(['host', 'auto', value()]), cgroups: pick(['on', 'off', value()]),
        ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
      };
      try {
        specFromFlags('/r', ['true'], flags);
      } catch (e) {
        const err = e as Error;
        expect(BUGS.has(err.name) ? `${err.name}: ${err.message}` : 'typed').toBe('typed');
      }
    }
  });
});
