// Real processes: the native helper creates namespaces, runs the steps and execs the command.
import { readlinkSync, rmSync } from 'node:fs';
import { CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, MS_BIND, MS_PRIVATE, MS_REC } from '@tincan/libc';
import { startProcess, SetupError, type Step, type TraceEvent } from '../src';
import { busyboxRootfs } from '@tincan/testkit';

const root = busyboxRootfs();
afterAll(() => rmSync(root, { recursive: true, force: true }));

function inRoot(command: string[], extra: Step[] = []): Step[] {
  return [
    { op: 'clone', flags: CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS },
    { op: 'release' },
    { op: 'closeFds' },
    { op: 'mount', source: '', target: '/', flags: MS_REC | MS_PRIVATE },
    { op: 'mount', source: root, target: root, flags: MS_BIND | MS_REC },
    { op: 'setRoot', path: root },
    { op: 'mount', source: 'proc', target: '/proc', fstype: 'proc', flags: 0, paths: ['targetInRoot', 'mkdir'] },
    { op: 'pivotRoot' },
    ...extra,
    { op: 'exec', file: command[0] as string, argv: command, env: ['PATH=/bin'] },
  ];
}

function output(steps: Step[], trace = false) {
  const p = startProcess({ steps, stdio: ['ignore', 'pipe', 'pipe'], trace });
  let out = '';
  p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const events: TraceEvent[] = [];
  p.on('trace', (e: TraceEvent) => events.push(e));
  return p.exited.then((status) => ({ status, out, events, error: p.error }));
}

describe('startProcess', () => {
  it('runs the command as PID 1 in new namespaces, inside the new root, with its exit status', async () => {
    const r = await output(inRoot(['sh', '-c', 'echo $$; hostname; ls /; exit 7'], [{ op: 'sethostname', name: 'nsexec-test' }]));
    expect(r.status).toEqual({ code: 7, signal: null });
    const [pid, host, ...ls] = r.out.trim().split('\n');
    expect(pid).toBe('1');
    expect(host).toBe('nsexec-test');
    expect(ls.sort()).toEqual(['bin', 'dev', 'etc', 'proc', 'tmp']);
  });

  it('reports every step in order with --trace', async () => {
    const steps = inRoot(['true']);
    const r = await output(steps, true);
    expect(r.events.map((e) => e.step.op)).toEqual(['clone', 'closeFds', 'mount', 'mount', 'setRoot', 'mount', 'pivotRoot']);
    expect(r.events.every((e) => e.errno === 0 && e.durationNs > 0)).toBe(true);
  });

  it('fails a step with a typed error and never runs the command', async () => {
    const r = await output(inRoot(['true'], [{ op: 'chdir', path: '/missing' }]));
    expect(r.error).toBeInstanceOf(SetupError);
    expect(r.error).toMatchObject({ code: 'ENOENT', step: { op: 'chdir' } });
    expect(r.error?.message).toMatch(/chdir \/missing/);
    expect(r.status.code).toBe(125);
  });

  it('exits 127 for a command that is not there', async () => {
    const r = await output(inRoot(['no-such-command']));
    expect(r.status.code).toBe(127);
    expect(r.error?.message).toBe('exec no-such-command: command not found');
  });

  it('reports a signal death as 128+N', async () => {
    const p = startProcess({ steps: inRoot(['sleep', '100']), stdio: 'ignore' });
    await p.started;
    p.kill('SIGKILL');
    expect(await p.exited).toEqual({ code: 137, signal: 'SIGKILL' });
  });

  it('holds the container at awaitParent until released; it runs from a sealed memfd meanwhile', async () => {
    const steps = inRoot(['true']);
    steps.splice(1, 0, { op: 'awaitParent' });
    const p = startProcess({ steps, stdio: 'ignore' });
    const pid = await p.pid;
    expect(readlinkSync(`/proc/${pid}/exe`)).toMatch(/^\/memfd:tincan-nsexec/);
    p.release();
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });
});
