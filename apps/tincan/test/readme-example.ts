import { createRuntime } from '../src';

export async function example(rootfs: string): Promise<string> {
  const runtime = createRuntime(); // the default plugins; or pick, add, remove and replace your own
  const container = await runtime.start({
    rootfs, // a rootfs directory, a rootfs tarball or an image reference
    command: ['sh', '-c', 'echo "$(hostname): PID $$, uid $(id -u)"'],
    hostname: 'sandbox',
    user: '1000:1000',
    ulimits: [{ name: 'nofile', soft: 64, hard: 64 }],
    stdio: 'pipe',
  });
  let output = '';
  container.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  const { code } = await container.wait(); // 0, and its cgroup, mounts and state are gone
  return `${output.trim()} (exit ${code})`; // "sandbox: PID 1, uid 1000 (exit 0)"
}
