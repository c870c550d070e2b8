// Class 7: the container must die with the runtime that started it. The runtime relies on
// PR_SET_PDEATHSIG, which the kernel clears when a process changes its credentials: after `-u 1000`
// (setresuid) or in a user namespace (the container becomes its root), a SIGKILLed `tincan run` leaves
// its container running on the host, outside any supervision, and --userns auto's id range claimed.
import { spawn } from 'node:child_process';
import { ROOTFS, TINCAN, eventually, processesWith, tincan } from '../e2e/helpers';
import { expectClean, idClaims, releaseIdClaim, type IdClaim } from './helpers';

/** A unique sleep duration, assembled inside so that only sleep's own command line contains it. */
function uniqueSleep(): { marker: string; command: string[] } {
  const tail = String(Number(process.hrtime.bigint() % 1_000_000n)).padStart(6, '0');
  return { marker: `9${tail}`, command: ['sh', '-c', 'exec sleep 9$1', 'sh', tail] };
}

async function killAll(marker: string): Promise<void> {
  for (const pid of processesWith(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await eventually(() => processesWith(marker).length === 0);
}

/**
 * Start `tincan run FLAGS ROOTFS sleep`, SIGKILL the CLI once sleep runs, and report what survived for
 * `graceMs` and which --userns auto claims the container made. Cleans up whatever survived.
 */
async function killRuntime(flags: string[], graceMs = 3000): Promise<{ survivors: number[]; claims: IdClaim[] }> {
  const { marker, command } = uniqueSleep();
  const claimedBefore = idClaims();
  // stdio ignored, and 'exit' awaited rather than 'close': a surviving container would hold our pipes open
  const child = spawn(process.execPath, [TINCAN, 'run', ...flags, ROOTFS, ...command], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await eventually(() => processesWith(marker).length === 1, 10_000);
    const claims = idClaims().filter((c) => !claimedBefore.some((b) => b.uid === c.uid && b.gid === c.gid));
    child.kill('SIGKILL');
    await exited;
    let survivors: number[] = [];
    try {
      await eventually(() => processesWith(marker).length === 0, graceMs);
    } catch {
      survivors = processesWith(marker);
    }
    return { survivors, claims };
  } finally {
    child.kill('SIGKILL');
    await killAll(marker);
  }
}

describe('escape class 7: a container outlives its SIGKILLed runtime', () => {
  const leftClaims: IdClaim[] = [];
  afterAll(() => {
    // claims a killed runtime left behind that the next start did not release
    for (const c of leftClaims) if (idClaims().some((x) => x.uid === c.uid && x.gid === c.gid)) releaseIdClaim(c);
  });
  afterEach(() => {
    // the next start reaps a killed runtime's state dir and cgroup
    expect(tincan(['run', ROOTFS, 'true']).code).toBe(0);
    expectClean();
  });

  it('without a user switch, the container dies with the runtime (control)', async () => {
    expect((await killRuntime([])).survivors).toEqual([]);
  });

  it.each([
    ['-u 1000', ['-u', '1000']],
    ['-u 1000:1000 --cap-drop ALL', ['-u', '1000:1000', '--cap-drop', 'ALL']],
    ['--userns auto', ['--userns', 'auto']],
    ['--userns auto -u 1000', ['--userns', 'auto', '-u', '1000']],
  ])('with %s, the container dies within seconds of the runtime', async (_name, flags: string[]) => {
    const { survivors, claims } = await killRuntime(flags);
    leftClaims.push(...claims);
    expect(survivors).toEqual([]);
  });

  it('the id range of a SIGKILLed --userns auto runtime is released by the next start', async () => {
    const { claims } = await killRuntime(['--userns', 'auto']);
    leftClaims.push(...claims);
    expect(claims).toHaveLength(1);
    expect(tincan(['run', ROOTFS, 'true']).code).toBe(0);
    const still = idClaims().filter((c) => claims.some((x) => x.uid === c.uid && x.gid === c.gid));
    expect(still).toEqual([]);
  });
});
