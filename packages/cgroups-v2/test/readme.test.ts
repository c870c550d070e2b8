import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { example } from './example';
import { Sandbox } from './helpers';

// README.md quotes test/example.ts (importing the package by name); this runs it on the host,
// where the cgroup2 has no memory/cpu/pids controllers, so the example takes its no-limits branch.
describe('README example', () => {
  const box = new Sandbox();
  afterEach(() => box.cleanup());

  it('is quoted verbatim in README.md', () => {
    const source = readFileSync(join(__dirname, 'example.ts'), 'utf8').replace("from '../src'", "from '@tincan/cgroups-v2'");
    expect(readFileSync(join(__dirname, '..', 'README.md'), 'utf8')).toContain(`\`\`\`ts\n${source}\`\`\``);
  });

  it('creates a cgroup, adds a process, reads stats and removes it', async () => {
    const { procs, stats } = await example(box.parent);
    expect(procs).toHaveLength(1);
    expect(stats.cpu.usage_usec).toEqual(expect.any(Number));
    expect(existsSync(join(box.parentDir, `example-${process.pid}`))).toBe(false);
  });
});
