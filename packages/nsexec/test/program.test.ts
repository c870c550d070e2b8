import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeProgram, OPCODES, ProgramError, startProcess, validateProgram, type Step } from '../src';

const minimal: Step[] = [{ op: 'clone', flags: 0 }, { op: 'release' }, { op: 'closeFds' }, { op: 'exec', file: '/bin/true', argv: ['true'], env: [] }];
const exec = minimal[3] as Step;

describe('setup program', () => {
  it('uses the same opcodes as the native helper', () => {
    const c = readFileSync(join(__dirname, '..', 'native', 'nsexec.c'), 'utf8');
    const native = new Map([...c.matchAll(/^\s+OP_([A-Z_]+) = (\d+),/gm)].map((m) => [m[1] as string, Number(m[2])]));
    const ts = new Map(Object.entries(OPCODES).map(([k, v]) => [k.replace(/([A-Z])/g, '_$1').toUpperCase(), v]));
    const rename: Record<string, string> = { JOIN_NAMESPACE: 'JOIN_NS', AWAIT_PARENT: 'AWAIT_GO', SET_MOUNT_ATTR: 'SETATTR', SET_USER: 'SETUSER', NO_NEW_PRIVS: 'NO_NEW_PRIVS', CAPABILITIES: 'CAPS' };
    const tsNative = new Map([...ts].map(([k, v]) => [rename[k] ?? k, v]));
    expect(Object.fromEntries(tsNative)).toEqual(Object.fromEntries(native));
  });

  it('encodes the wire format: length, magic, flags, records of length-prefixed args', () => {
    const buf = encodeProgram(minimal, 1);
    expect(buf.readUInt32LE(0)).toBe(buf.length - 4);
    expect(buf.subarray(4, 8).toString()).toBe('TCN1');
    expect(buf.readUInt32LE(8)).toBe(1);
    expect(buf.readUInt32LE(12)).toBe(OPCODES.clone);
    expect(buf.readUInt32LE(16)).toBe(2);
    // flags u64, then cgroup "" (just its NUL)
    expect(buf.readUInt32LE(20)).toBe(8);
    expect(buf.readBigUInt64LE(24)).toBe(0n);
    expect(buf.readUInt32LE(32)).toBe(1);
  });

  it('passes 4000 arguments to the command', async () => {
    const argv = ['sh', '-c', 'echo $#', 'sh', ...Array.from({ length: 4000 }, (_, i) => `a${i}`)];
    const p = startProcess({ steps: [{ op: 'clone', flags: 0 }, { op: 'release' }, { op: 'closeFds' }, { op: 'exec', file: '/bin/sh', argv, env: [] }], stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    expect((await p.exited).code).toBe(0);
    expect(out).toBe('4000\n');
  });

  it('refuses malformed programs with a reason', () => {
    const bad: [Step[], RegExp][] = [
      [[{ op: 'release' }, { op: 'exec', file: 'x', argv: ['x'], env: [] }], /no clone step/],
      [[{ op: 'clone', flags: 0 }, { op: 'exec', file: 'x', argv: ['x'], env: [] }], /release step after clone/],
      [[{ op: 'clone', flags: 0 }, { op: 'release' }, { op: 'closeFds' }], /last step must be exec/],
      [[{ op: 'clone', flags: 0 }, { op: 'release' }, exec], /first container step must be closeFds/],
      [[{ op: 'pivotRoot' }, ...minimal], /cannot run before clone/],
      [[{ op: 'clone', flags: 0 }, { op: 'sethostname', name: 'x' }, { op: 'release' }, { op: 'closeFds' }, exec], /must come after release/],
      [[{ op: 'clone', flags: 0 }, { op: 'release' }, { op: 'closeFds' }, { op: 'writeProc', file: 'uid_map', data: '' }, exec], /must come before release/],
      [[{ op: 'clone', flags: 0 }, { op: 'release' }, { op: 'closeFds' }, { op: 'setUser', uid: 4294967295, gid: 0, groups: [] }, exec], /out of range/],
    ];
    for (const [steps, reason] of bad) expect(() => validateProgram(steps)).toThrow(reason);
    expect(() => encodeProgram([{ op: 'clone', flags: 0 }, { op: 'release' }, { op: 'closeFds' }, { op: 'exec', file: 'a\0b', argv: [], env: [] }])).toThrow(ProgramError);
    const many = Array.from({ length: 4095 }, (_, i) => `arg${i}`);
    expect(() => validateProgram([{ op: 'clone', flags: 0 }, { op: 'release' }, { op: 'closeFds' }, { op: 'exec', file: 'x', argv: many, env: [] }])).toThrow(/command line too long/);
  });
});
