import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cName, encodeProgram, helperPath, OPS, opsHeader, ProgramError, PROTOCOL_VERSION, startProcess, validateProgram, type OpName, type Step } from '../src';

const minimal: Step[] = [{ op: 'clone', flags: 0 }, { op: 'release' }, { op: 'closeFds' }, { op: 'exec', file: '/bin/true', argv: ['true'], env: [] }];
const exec = minimal[3] as Step;

describe('setup program', () => {
  it('declares every op once: the C handles each op of the table by its generated name, and spells no code of its own', () => {
    const c = readFileSync(join(__dirname, '..', 'native', 'nsexec.c'), 'utf8');
    const handled = new Set([...c.matchAll(/case OP_([A-Z_]+):/g)].map((m) => m[1]));
    // clone and release are found by the monitor's main, not dispatched by a switch
    const dispatched = (Object.keys(OPS) as OpName[]).filter((op) => op !== 'clone' && op !== 'release').map(cName);
    expect([...handled].sort()).toEqual(dispatched.sort());
    expect(c).not.toMatch(/OP_[A-Z_]+ = \d+/);
    expect(c).toMatch(/#include "ops.h"/);
    // the header the build compiled with is the table's
    expect(readFileSync(join(__dirname, '..', 'dist', 'ops.h'), 'utf8')).toBe(opsHeader());
    expect(opsHeader()).toMatch(/#define MOUNT_TARGET 1\n/);
    expect(opsHeader()).toMatch(new RegExp(`#define PROTOCOL_VERSION ${PROTOCOL_VERSION}\n`));
    // PROTOCOL.md describes this version (bumped together: see its last section)
    expect(readFileSync(join(__dirname, '..', 'PROTOCOL.md'), 'utf8')).toMatch(new RegExp(`^# The setup protocol \\(version ${PROTOCOL_VERSION}\\)`));
  });

  it('encodes the wire format: length, magic, protocol version, flags, records of length-prefixed args', () => {
    const buf = encodeProgram(minimal, 1);
    expect(buf.readUInt32LE(0)).toBe(buf.length - 4);
    expect(buf.subarray(4, 8).toString()).toBe('TCNP');
    expect(buf.readUInt32LE(8)).toBe(PROTOCOL_VERSION);
    expect(buf.readUInt32LE(12)).toBe(1);
    expect(buf.readUInt32LE(16)).toBe(OPS.clone.code);
    expect(buf.readUInt32LE(20)).toBe(2);
    // flags u64, then cgroup "" (just its NUL)
    expect(buf.readUInt32LE(24)).toBe(8);
    expect(buf.readBigUInt64LE(28)).toBe(0n);
    expect(buf.readUInt32LE(36)).toBe(1);
  });

  it('the helper refuses a program of another protocol version, naming both', () => {
    const buf = encodeProgram(minimal);
    buf.writeUInt32LE(PROTOCOL_VERSION + 1, 8);
    const helper = spawnSync('sh', ['-c', `exec "$0" 3<&0`, helperPath()], { input: buf, encoding: 'utf8' });
    expect(helper.status).toBe(125);
    expect(helper.stderr).toContain(`speaks setup protocol ${PROTOCOL_VERSION}, the program is version ${PROTOCOL_VERSION + 1}`);
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
