// Class 3: a container that shares the caller's terminal as its controlling terminal can push input
// into it with TIOCSTI (and TIOCLINUX paste on a VT): what it types runs in the caller's shell once the
// container exits. Observable: the caller's shell, under a fresh pseudo-terminal, reads a line after
// `tincan run` returns; nothing the container injected may arrive there.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOTFS, TINCAN } from '../e2e/helpers';
import { expectClean, rand, shq, underPty } from './helpers';

const runCmd = (flags: string[], ...command: string[]) => [process.execPath, TINCAN, 'run', ...flags, ROOTFS, ...command].map(shq).join(' ');

describe('escape class 3: TIOCSTI into the caller\'s terminal', () => {
  beforeAll(() => {
    // the observable needs script(1) and bash's read -t
    expect(spawnSync('script', ['--version']).status).toBe(0);
    expect(spawnSync('bash', ['-c', 'true']).status).toBe(0);
  });
  afterEach(() => expectClean());

  const legacy = (() => {
    try {
      return readFileSync('/proc/sys/dev/tty/legacy_tiocsti', 'utf8').trim();
    } catch {
      return '1'; // kernels before 6.2 always allow it
    }
  })();
  // else the tests below would pass trivially: the observable must be shown to work first
  (legacy === '1' ? it : it.skip)(`a host process can inject into its own terminal, and the caller's shell reads it${legacy === '1' ? '' : ' (skipped: dev.tty.legacy_tiocsti is 0, the kernel refuses TIOCSTI)'}`, async () => {
    const typed = `injected-${rand()}`;
    const out = await underPty(`bash -c ${shq(`${ROOTFS}/bin/probe tiocsti ${typed}; read -t 1 x; echo "GOT:[$x]"`)}`);
    expect(/^GOT:\[(.*)\]$/m.exec(out)?.[1]).toContain(typed);
  });

  it.each([
    ['the default flags', []],
    ['-u 1000', ['-u', '1000']],
    ['--userns auto', ['--userns', 'auto']],
    ['--cap-drop ALL', ['--cap-drop', 'ALL']],
  ])('with %s, TIOCSTI and TIOCLINUX fail on fds 0-2 and /dev/tty and nothing reaches the caller\'s shell', async (_name, flags: string[]) => {
    const typed = `injected-${rand()}`;
    const out = await underPty(`bash -c ${shq(`${runCmd(flags, 'probe', 'tiocsti', typed)}; read -t 1 x; echo "GOT:[$x]"`)}`);
    const attempts = [...out.matchAll(/^tiocsti (\S+): (\S+); tioclinux: (\S+)$/gm)].map((m) => ({ target: m[1], tiocsti: m[2], tioclinux: m[3] }));
    expect(attempts.map((a) => a.target)).toEqual(['fd0', 'fd1', 'fd2', '/dev/tty']);
    // what the caller's shell read after the container exited: the injected line, if any got through
    const got = /^GOT:\[(.*)\]$/m.exec(out)?.[1];
    expect({ succeeded: attempts.filter((a) => a.tiocsti === 'ok' || a.tioclinux === 'ok'), callerRead: got }).toEqual({ succeeded: [], callerRead: '' });
  });

  it('the container\'s init leads a session of its own, without a controlling terminal', async () => {
    const out = await underPty(runCmd([], 'probe', 'sid'));
    const m = /^pid=(\d+) sid=(\d+) pgid=(\d+) tty=(\S+)$/m.exec(out);
    expect(m).not.toBeNull();
    const [, pid, sid, , tty] = m as RegExpExecArray;
    expect({ pid, sid }).toEqual({ pid: '1', sid: '1' });
    // open("/dev/tty") names the controlling terminal: there must be none
    expect(tty).not.toBe('ok');
  });
});
