import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { devicesExample } from './devices-example';
import { example } from './example';
import { Sandbox } from './helpers';

// README.md quotes test/example.ts and test/devices-example.ts (importing the package by name); this runs them on the host,
// where the cgroup2 has no memory/cpu/pids controllers, so the example takes its no-limits branch.
describe('README example', () => {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it.each(['example.ts', 'devices-example.ts'])('%s is quoted verbatim in README.md', (file) => {
    const source = readFileSync(join(__dirname, file), 'utf8').replace("from '../src'", "from '@tincan/cgroups-v2'");
    expect(readFileSync(join(__dirname, '..', 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${source}\`\`\``);
  });

  it('creates a cgroup, adds a process, reads stats and removes it', async () => {
    const { procs, stats } = await example(box.parent);
    expect(procs).toHaveLength(1);
    expect(stats.cpu.usage_usec).toEqual(expect.any(Number));
    expect(existsSync(join(box.parentDir, `example-${process.pid}`))).toBe(false);
  });

  it('the devices example opens /dev/null and /dev/kmsg, and is refused /dev/loop-control', async () => {
    const lines = await devicesExample(box.parent);
    expect(lines.slice(0, 2)).toEqual(['/dev/null: ok', '/dev/kmsg: ok']);
    expect(lines[2]).toMatch(/^sh: \d+: cannot open \/dev\/loop-control: Operation not permitted$/);
    expect(lines).toHaveLength(3);
    expect(existsSync(join(box.parentDir, `devices-${process.pid}`))).toBe(false);
  });
});
