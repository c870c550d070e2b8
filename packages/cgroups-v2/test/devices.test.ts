import { CgroupLimitError, DEFAULT_DEVICE_RULES, compileDeviceFilter, type DeviceRule } from '../src';
import { checkStructure, decode, run, type DeviceRequest } from './bpf-interpreter';

const BLOCK = 1;
const CHAR = 2;
const M = 1;
const R = 2;
const W = 4;
const ACCESS: Record<string, number> = { m: M, r: R, w: W };

/** The semantics, written independently of the compiler: per access bit, the last matching rule wins; default deny. */
function reference(rules: readonly DeviceRule[], req: DeviceRequest): number {
  const matches = (rule: DeviceRule): boolean =>
    (rule.type === undefined || rule.type === 'a' || (rule.type === 'b' ? BLOCK : CHAR) === req.type) &&
    (rule.major === undefined || rule.major === req.major) &&
    (rule.minor === undefined || rule.minor === req.minor);
  for (const bit of [M, R, W].filter((b) => (req.access & b) !== 0)) {
    let allowed = false;
    for (const rule of rules) {
      if (matches(rule) && [...(rule.access ?? '')].some((c) => ACCESS[c] === bit)) allowed = rule.allow;
    }
    if (!allowed) return 0;
  }
  return 1;
}

/** Compile, check the program's shape, and run it for one request. */
function decide(rules: readonly DeviceRule[], type: 'b' | 'c', major: number, minor: number, access: string): number {
  const program = compileDeviceFilter(rules);
  checkStructure(program);
  const req = { type: type === 'b' ? BLOCK : CHAR, major, minor, access: [...access].reduce((a, c) => a | (ACCESS[c] ?? 0), 0) };
  const result = run(program, req);
  expect(result).toBe(reference(rules, req));
  return result;
}

const allow = (type: DeviceRule['type'], major: number | undefined, minor: number | undefined, access: string): DeviceRule => ({ allow: true, type, major, minor, access });
const deny = (type: DeviceRule['type'], major: number | undefined, minor: number | undefined, access: string): DeviceRule => ({ allow: false, type, major, minor, access });

describe('compileDeviceFilter (run in a test eBPF interpreter)', () => {
  it('emits 8-byte struct bpf_insn that start by loading type, access, major and minor from the ctx', () => {
    const program = compileDeviceFilter([allow('c', 1, 3, 'rwm')]);
    expect(program.length % 8).toBe(0);
    expect(decode(program).slice(0, 6).map((i) => [i.code, i.dst, i.src, i.off, i.imm])).toEqual([
      [0x61, 2, 1, 0, 0],
      [0x54, 2, 0, 0, 0xffff],
      [0x61, 3, 1, 0, 0],
      [0x74, 3, 0, 0, 16],
      [0x61, 4, 1, 4, 0],
      [0x61, 5, 1, 8, 0],
    ]);
  });

  it('denies everything with no rules, mknod included', () => {
    for (const access of ['r', 'w', 'm', 'rwm']) expect(decide([], 'c', 1, 3, access)).toBe(0);
    expect(decide([], 'b', 7, 0, 'm')).toBe(0);
  });

  it('the default allowlist: rwm on the usual nodes and pts, mknod of anything, nothing else', () => {
    for (const [major, minor] of [[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2], [136, 0], [136, 42]] as const) {
      expect(decide(DEFAULT_DEVICE_RULES, 'c', major, minor, 'rw')).toBe(1);
      expect(decide(DEFAULT_DEVICE_RULES, 'c', major, minor, 'rwm')).toBe(1);
    }
    for (const [major, minor] of [[1, 1], [1, 11], [10, 237], [4, 0], [5, 3], [137, 0]] as const) {
      expect(decide(DEFAULT_DEVICE_RULES, 'c', major, minor, 'r')).toBe(0);
      expect(decide(DEFAULT_DEVICE_RULES, 'c', major, minor, 'w')).toBe(0);
      expect(decide(DEFAULT_DEVICE_RULES, 'c', major, minor, 'm')).toBe(1);
      expect(decide(DEFAULT_DEVICE_RULES, 'c', major, minor, 'rm')).toBe(0);
    }
    expect(decide(DEFAULT_DEVICE_RULES, 'b', 7, 0, 'm')).toBe(1);
    expect(decide(DEFAULT_DEVICE_RULES, 'b', 7, 0, 'r')).toBe(0);
    expect(decide(DEFAULT_DEVICE_RULES, 'b', 1, 3, 'r')).toBe(0); // type matters: block 1:3 is not /dev/null
  });

  it('the last matching rule wins, whatever came before', () => {
    expect(decide([allow('c', 1, 3, 'rwm'), deny('c', 1, 3, 'rwm')], 'c', 1, 3, 'r')).toBe(0);
    expect(decide([deny('c', 1, 3, 'rwm'), allow('c', 1, 3, 'rwm')], 'c', 1, 3, 'r')).toBe(1);
    expect(decide([allow('c', 1, 3, 'r'), deny('c', 1, 3, 'r'), allow('c', 1, 3, 'r')], 'c', 1, 3, 'r')).toBe(1);
    // a later narrower deny punches a hole in an earlier wildcard allow, and the reverse
    expect(decide([allow('a', undefined, undefined, 'rwm'), deny('c', 1, 11, 'rwm')], 'c', 1, 11, 'r')).toBe(0);
    expect(decide([allow('a', undefined, undefined, 'rwm'), deny('c', 1, 11, 'rwm')], 'c', 1, 3, 'r')).toBe(1);
    expect(decide([deny('c', 1, 11, 'rwm'), allow('a', undefined, undefined, 'rwm')], 'c', 1, 11, 'r')).toBe(1);
    // a later rule for another device or another access does not override
    expect(decide([allow('c', 1, 3, 'r'), deny('c', 1, 5, 'r')], 'c', 1, 3, 'r')).toBe(1);
    expect(decide([allow('c', 1, 3, 'r'), deny('c', 1, 3, 'w')], 'c', 1, 3, 'r')).toBe(1);
  });

  it('wildcards: a missing minor, a missing major, both', () => {
    const anyMinor = [allow('c', 136, undefined, 'rw')];
    expect(decide(anyMinor, 'c', 136, 0, 'rw')).toBe(1);
    expect(decide(anyMinor, 'c', 136, 0xfffff, 'rw')).toBe(1);
    expect(decide(anyMinor, 'c', 137, 0, 'r')).toBe(0);
    const anyMajor = [allow('c', undefined, 3, 'r')];
    expect(decide(anyMajor, 'c', 1, 3, 'r')).toBe(1);
    expect(decide(anyMajor, 'c', 0xfff, 3, 'r')).toBe(1);
    expect(decide(anyMajor, 'c', 1, 4, 'r')).toBe(0);
    const anyChar = [allow('c', undefined, undefined, 'm')];
    expect(decide(anyChar, 'c', 250, 9, 'm')).toBe(1);
    expect(decide(anyChar, 'b', 250, 9, 'm')).toBe(0);
  });

  it("type 'a' (or no type) matches block and char devices; a major or minor still narrows it", () => {
    for (const type of ['a', undefined] as const) {
      expect(decide([allow(type, undefined, undefined, 'r')], 'b', 7, 0, 'r')).toBe(1);
      expect(decide([allow(type, undefined, undefined, 'r')], 'c', 1, 1, 'r')).toBe(1);
      expect(decide([allow(type, 7, undefined, 'r')], 'b', 7, 0, 'r')).toBe(1);
      expect(decide([allow(type, 7, undefined, 'r')], 'c', 7, 0, 'r')).toBe(1);
      expect(decide([allow(type, 7, undefined, 'r')], 'c', 8, 0, 'r')).toBe(0);
    }
    expect(decide([{ allow: false, access: 'rwm' }, allow('c', 1, 3, 'rwm')], 'c', 1, 3, 'rw')).toBe(1); // docker's leading deny-all
  });

  it('deny rules: default deny stays, a deny after an allow removes exactly what it names', () => {
    const rules = [allow('c', 1, undefined, 'rwm'), deny('c', 1, 1, 'rwm'), deny('c', 1, 11, 'w')];
    expect(decide(rules, 'c', 1, 1, 'r')).toBe(0);
    expect(decide(rules, 'c', 1, 1, 'm')).toBe(0);
    expect(decide(rules, 'c', 1, 11, 'r')).toBe(1);
    expect(decide(rules, 'c', 1, 11, 'w')).toBe(0);
    expect(decide(rules, 'c', 1, 3, 'rwm')).toBe(1);
    expect(decide([deny('a', undefined, undefined, 'rwm')], 'c', 1, 3, 'r')).toBe(0);
  });

  it('each requested access is decided on its own: one denied access denies the request', () => {
    const partialDeny = [allow('a', undefined, undefined, 'rwm'), deny('c', 1, 3, 'w')];
    expect(decide(partialDeny, 'c', 1, 3, 'r')).toBe(1);
    expect(decide(partialDeny, 'c', 1, 3, 'w')).toBe(0);
    expect(decide(partialDeny, 'c', 1, 3, 'rw')).toBe(0);
    const splitGrant = [allow('c', 1, undefined, 'r'), allow('c', 1, 3, 'w')];
    expect(decide(splitGrant, 'c', 1, 3, 'rw')).toBe(1);
    expect(decide(splitGrant, 'c', 1, 5, 'rw')).toBe(0);
    expect(decide(splitGrant, 'c', 1, 5, 'r')).toBe(1);
    expect(decide([allow('c', 1, 11, 'r')], 'c', 1, 11, 'rw')).toBe(0);
  });

  it('shares one rule chain between accesses the same rules decide', () => {
    const jsets = (rules: DeviceRule[]): number => decode(compileDeviceFilter(rules)).filter((i) => i.code === 0x45).length;
    expect(jsets([allow('c', 1, 3, 'rwm'), deny('c', 1, 5, 'rwm')])).toBe(1);
    expect(jsets([...DEFAULT_DEVICE_RULES])).toBe(2); // m, and r+w
    expect(jsets([allow('c', 1, 3, 'r'), allow('c', 1, 5, 'w'), allow('c', 1, 7, 'm')])).toBe(3);
  });

  it('stops a chain at a rule that matches every device (the verifier refuses unreachable code)', () => {
    const rules = [allow('c', 1, 3, 'rwm'), allow('c', 1, 5, 'rwm'), allow(undefined, undefined, undefined, 'rwm')];
    expect(decide(rules, 'b', 7, 0, 'rwm')).toBe(1);
    expect(decode(compileDeviceFilter(rules))).toHaveLength(6 + 2 + 1 + 2); // prologue, jset+ja, ja allow, allow exit
  });

  it('agrees with the reference semantics on random rule lists', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
    const majors = [1, 5, 7, 136];
    const minors = [0, 1, 3, 5];
    for (let round = 0; round < 300; round++) {
      const rules = Array.from({ length: rand(7) }, (): DeviceRule => ({
        allow: rand(2) === 0,
        type: pick(['a', 'b', 'c', undefined] as const),
        major: rand(3) === 0 ? undefined : pick(majors),
        minor: rand(3) === 0 ? undefined : pick(minors),
        access: pick(['r', 'w', 'm', 'rw', 'rm', 'wm', 'rwm', 'mwr']),
      }));
      const program = compileDeviceFilter(rules);
      checkStructure(program);
      for (const type of [BLOCK, CHAR]) {
        for (const major of [...majors, 9]) {
          for (const minor of [...minors, 8]) {
            for (let access = 1; access <= 7; access++) {
              const req = { type, major, minor, access };
              if (run(program, req) !== reference(rules, req)) {
                throw new Error(`mismatch for ${JSON.stringify(req)} with rules ${JSON.stringify(rules)}`);
              }
            }
          }
        }
      }
    }
  });

  it.each<[string, DeviceRule, string]>([
    ['devices[0].access', { allow: true, type: 'c', major: 1, minor: 3 }, 'a non-empty combination'],
    ['devices[0].access', { allow: true, access: '' }, 'a non-empty combination'],
    ['devices[0].access', { allow: true, access: 'rx' }, 'a non-empty combination'],
    ['devices[0].major', { allow: true, major: 4096, access: 'r' }, 'an integer from 0 to 4095, or no major for any'],
    ['devices[0].major', { allow: true, major: -1, access: 'r' }, 'an integer from 0 to 4095'],
    ['devices[0].minor', { allow: true, minor: 0x100000, access: 'r' }, 'an integer from 0 to 1048575'],
    ['devices[0].minor', { allow: true, minor: 1.5, access: 'r' }, 'an integer'],
    ['devices[0].type', { allow: true, type: 'x' as 'a', access: 'r' }, "'a', 'b' or 'c'"],
    ['devices[0].allow', { allow: 'yes' as unknown as boolean, access: 'r' }, 'true or false'],
  ])('refuses a malformed rule: %s %j', (setting, rule, expected) => {
    let err: unknown;
    try {
      compileDeviceFilter([rule]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CgroupLimitError);
    expect(err).toMatchObject({ setting, message: expect.stringContaining(expected) });
  });

  it('names the index of the bad rule', () => {
    expect(() => compileDeviceFilter([allow('c', 1, 3, 'r'), { allow: true, access: 'q' }])).toThrow('invalid devices[1].access value "q"');
  });

  it('refuses rule lists longer than 4096 instructions', () => {
    const many = Array.from({ length: 1500 }, (_, i) => allow('c', 1, i, 'rwm'));
    expect(() => compileDeviceFilter(many)).toThrow(/invalid devices value "1500 rules": expected rules that compile to at most 4096 eBPF instructions \(these need \d+\)/);
  });

  it('DEFAULT_DEVICE_RULES is the runc/docker list, frozen', () => {
    expect(DEFAULT_DEVICE_RULES.map((r) => `${r.allow ? 'allow' : 'deny'} ${r.type} ${r.major ?? '*'}:${r.minor ?? '*'} ${r.access}`)).toEqual([
      'allow c *:* m',
      'allow b *:* m',
      'allow c 1:3 rwm',
      'allow c 1:5 rwm',
      'allow c 1:7 rwm',
      'allow c 1:8 rwm',
      'allow c 1:9 rwm',
      'allow c 5:0 rwm',
      'allow c 5:1 rwm',
      'allow c 5:2 rwm',
      'allow c 136:* rwm',
    ]);
    expect(Object.isFrozen(DEFAULT_DEVICE_RULES)).toBe(true);
    expect(DEFAULT_DEVICE_RULES.every((r) => Object.isFrozen(r))).toBe(true);
  });
});
