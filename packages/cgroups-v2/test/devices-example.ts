import { spawnSync } from 'node:child_process';
import { Cgroup, DEFAULT_DEVICE_RULES, type DeviceRule } from '../src';

export async function devicesExample(parent = 'tincan'): Promise<string[]> {
  // runc's defaults plus read-only /dev/kmsg (c 1:11); everything else is denied
  const devices: DeviceRule[] = [...DEFAULT_DEVICE_RULES, { allow: true, type: 'c', major: 1, minor: 11, access: 'r' }];
  const cg = await Cgroup.create(`devices-${process.pid}`, { parent, devices });
  try {
    // the shell enters the cgroup before it opens a device, as a container's first process does
    const script = `echo $$ > ${cg.path}/cgroup.procs
      for dev in /dev/null /dev/kmsg /dev/loop-control; do (: < $dev) 2>&1 && echo "$dev: ok"; done`;
    return spawnSync('sh', ['-c', script], { encoding: 'utf8' }).stdout.trim().split('\n');
    // → ['/dev/null: ok', '/dev/kmsg: ok', 'sh: 2: cannot open /dev/loop-control: Operation not permitted']
  } finally {
    await cg.remove();
  }
}
