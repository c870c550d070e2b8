// Process creation must be correct under 1000 consecutive starts: no hang, no crash, no leftovers.
import { createRuntime } from '@tincan/runtime';
import { hostTraces, ROOTFS } from './helpers';

const RUNS = 1000;

it(`runs /bin/true ${RUNS} times through the API: 0 hangs, 0 crashes`, async () => {
  const runtime = createRuntime();
  const failures: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const timeout = new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), 10_000).unref());
    const result = await Promise.race([runtime.run({ rootfs: ROOTFS, command: ['/bin/true'], stdio: 'ignore' }), timeout]);
    if (result === 'hang') failures.push(`run ${i}: hang`);
    else if (result.code !== 0) failures.push(`run ${i}: exit ${result.code} ${result.signal ?? ''}`);
  }
  expect(failures).toEqual([]);
  expect(hostTraces()).toEqual({ stateDirs: [], cgroups: [], mounts: [] });
}, 600_000);
