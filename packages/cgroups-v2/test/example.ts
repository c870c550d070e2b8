import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Cgroup, cpusToMax, detectCgroupV2, parseBytes, requiredControllers, type CgroupLimits, type CgroupStats } from '../src';

export async function example(parent = 'tincan'): Promise<{ procs: number[]; stats: CgroupStats }> {
  const host = detectCgroupV2();
  const wanted: CgroupLimits = { memory: { max: parseBytes('256m') }, cpu: { max: cpusToMax(0.5) }, pids: { max: 64 } };
  // a hybrid host's cgroup2 lacks these controllers: run without limits there, as `--cgroups off` would
  const limits = requiredControllers(wanted).every((c) => host.controllers.includes(c)) ? wanted : {};
  const cg = await Cgroup.create(`example-${process.pid}`, { parent, limits, host });
  try {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    await once(child, 'spawn');
    if (child.pid === undefined) throw new Error('sleep did not start');
    cg.addProcess(child.pid);
    return { procs: cg.procs(), stats: cg.stats() };
  } finally {
    await cg.remove(); // SIGKILLs what is left, waits until empty, rmdir
  }
}
