// A runtime assembled from a subset of tincan's plugins plus one of our own: sysctls for the container.
import { commandPlugin, createRuntime, mountsPlugin, namespacesPlugin, rootfsPlugin, type Plugin } from '@tincan/runtime';

/** Namespaced kernel parameters (net.*, kernel.shm*, …), written inside the container before /proc/sys turns read-only. */
export function sysctlPlugin(sysctls: Record<string, string>): Plugin {
  return {
    name: 'sysctl',
    prepare(ctx) {
      for (const [key, value] of Object.entries(sysctls)) {
        if (!/^[a-z0-9_]+(\.[a-z0-9_-]+)+$/.test(key)) throw new Error(`sysctl "${key}": not a sysctl name`);
        ctx.program.add('mounts', { op: 'writeFile', path: `/proc/sys/${key.replace(/\./g, '/')}`, data: value });
      }
    },
  };
}

/** Runs `command` in `rootfs` with new namespaces, its own /proc, and the sysctls; returns its output. */
export async function runWithSysctls(rootfs: string, sysctls: Record<string, string>, command: string[]): Promise<string> {
  const runtime = createRuntime([rootfsPlugin(), namespacesPlugin(), mountsPlugin(), sysctlPlugin(sysctls), commandPlugin()]);
  const container = await runtime.start({ rootfs, command, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  container.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  await container.wait();
  return out;
}
