// Real processes: the native helper creates namespaces, runs the steps and execs the command.
import { readFileSync, readlinkSync, rmSync } from 'node:fs';
import { CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS, MS_BIND, MS_PRIVATE, MS_REC } from '@tincan/libc-core';
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

  it('writes an existing file inside the root (oom_score_adj), and never creates one', async () => {
    const ok = await output(inRoot(['cat', '/proc/self/oom_score_adj'], [{ op: 'writeFile', path: '/proc/self/oom_score_adj', data: '500' }]));
    expect(ok.out).toBe('500\n');
    const missing = await output(inRoot(['true'], [{ op: 'writeFile', path: '/etc/not-there', data: 'x' }]));
    expect(missing.error).toBeInstanceOf(SetupError);
    expect(missing.error?.message).toMatch(/write \/etc\/not-there: open: No such file/);
  });

  it('forwards the signals the program names to the container, and no other', async () => {
    const p = startProcess({ steps: [{ op: 'forwardSignals', signals: [10] }, ...inRoot(['sh', '-c', 'trap "echo got-usr1; exit 0" USR1; echo ready; while :; do sleep 0.05; done'])], stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    await p.started;
    while (!out.includes('ready')) await new Promise((r) => setTimeout(r, 10));
    // the monitor is the parent of the container's init
    const monitor = Number(readFileSync(`/proc/${await p.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
    process.kill(monitor, 'SIGUSR1');
    expect((await p.exited).code).toBe(0);
    expect(out).toContain('got-usr1');
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
