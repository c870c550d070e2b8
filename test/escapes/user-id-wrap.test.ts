// Class 10: user and group ids past 32 bits or equal to (uid_t)-1. setresuid(-1, -1, -1) means "leave
// unchanged" (root stays root), 4294967296 truncates to 0, 99999999999 to some other id: each must be
// refused before anything runs (exit 125, the value named), through the CLI and through the API.
import { createRuntime } from '@tincan/runtime';
import { ROOTFS } from '../e2e/helpers';
import { cli, expectClean } from './helpers';

describe('escape class 10: user ids that wrap to root', () => {
  afterEach(() => expectClean());

  it.each(['4294967295', '4294967295:4294967295', '4294967296:4294967296', '99999999999:0', '1000:4294967295', '4294967296', '0:4294967296', '-1', '1000:-1'])(
    '--user %s is refused with exit 125 and never runs as uid or gid 0',
    (user) => {
      const r = cli(['run', '--user', user, ROOTFS, 'sh', '-c', 'echo "ran as $(id -u):$(id -g)"']);
      expect({ code: r.code, ran: r.stdout }).toEqual({ code: 125, ran: '' });
      // the message names the offending value
      const offending = user.split(':').find((v) => !/^(0|1000)$/.test(v)) as string;
      expect(r.stderr).toContain(offending);
    },
  );

  it.each([
    [{ uid: 4294967295, gid: 0 }],
    [{ uid: 0, gid: 4294967295 }],
    [{ uid: 4294967296, gid: 4294967296 }],
    [{ uid: -1, gid: -1 }],
    [{ uid: 1000, gid: 1000, groups: [4294967295] }],
    [{ uid: 1.5, gid: 1000 }],
  ])('the API refuses user %j', async (user) => {
    let output = '';
    const attempt = (async () => {
      const c = await createRuntime().start({ rootfs: ROOTFS, command: ['sh', '-c', 'echo "ran as $(id -u):$(id -g) groups $(id -G)"'], stdio: 'pipe', user });
      c.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      await c.wait();
    })();
    await expect(attempt).rejects.toThrow();
    expect(output).toBe('');
  });

  it('valid ids still work: 1000:1000, 65534, and the largest valid id 4294967294 by the API', async () => {
    expect(cli(['run', '--user', '1000:1000', ROOTFS, 'sh', '-c', 'echo $(id -u):$(id -g)']).stdout).toBe('1000:1000\n');
    expect(cli(['run', '--user', '65534', ROOTFS, 'id', '-u']).stdout).toBe('65534\n');
    const c = await createRuntime().start({ rootfs: ROOTFS, command: ['id', '-u'], stdio: 'pipe', user: { uid: 4294967294, gid: 4294967294 } });
    let out = '';
    c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    expect((await c.wait()).code).toBe(0);
    expect(out).toBe('4294967294\n');
  });
});
