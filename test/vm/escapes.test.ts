// The escape classes in the cgroup-v2 VM (this host is hybrid): the device program on a real v2 tree,
// with cgroups on and off, with and without --userns auto. The VM's scratch disk /dev/vda stands in
// for a host disk. CI sets the VM up; without it (and outside CI) the test says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../e2e/helpers';
import { expectLayeredDefences, type LayersResult } from '../escapes/layers-expect';

const VM = join(REPO, 'test', 'vm', 'machine', 'run-in-vm.sh');
const VM_DIR = process.env.VM_DIR ?? '/var/tmp/tincan-test-vm';
const ready = existsSync(VM) && existsSync(join(VM_DIR, 'vmlinux'));
let result: LayersResult;

(ready || process.env.CI ? describe : describe.skip)(`escape classes in the cgroup-v2 VM${ready ? '' : ' (skipped: VM not set up; run test/vm/machine/setup.sh)'}`, () => {
  beforeAll(() => {
    if (!ready) throw new Error(`CI needs the cgroup v2 VM: ${VM} and ${VM_DIR}/vmlinux`);
    // the VM's /tmp (tmpfs over 9p, Linux 6.1) has no id-mapped mounts: the rootfs copies go on an ext4 scratch disk
    const script = 'mkfs.ext4 -q /dev/vda && mkdir -p /mnt/scratch && mount /dev/vda /mnt/scratch && node test/escapes/layers.mjs /dev/vda /mnt/scratch';
    const r = spawnSync(VM, ['sh', '-c', script], { cwd: REPO, encoding: 'utf8', timeout: 900_000, env: { ...process.env, VM_MEM: '1024', VM_DISK_MB: '64' } });
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`VM run failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    result = JSON.parse(line.slice(7)) as LayersResult;
  }, 920_000);

  it('ran on a cgroup v2 host', () => {
    expect(result.cgroup2).not.toBe('hybrid');
  });

  expectLayeredDefences(() => result);

  it('with cgroups off and no user namespace, only nodev stands between a made node and the disk (the device program is what the "on" runs add)', () => {
    const off = result.configs.find((c) => c.cgroups === 'off' && c.userns === 'host');
    expect(off?.devicesOpened).toContain('open /devtest disk');
  });
});
