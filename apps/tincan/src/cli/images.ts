import { Command } from 'commander';
import type { ImageStore, ProgressEvent } from '@tincan/image';
import { parseDataDir } from './options';

interface StoreFlags {
  dataDir?: string;
  quiet?: boolean;
  insecureRegistry?: string[];
}

/** The image code and progress bars load only for these commands (CLI start-up time). */
async function store(flags: StoreFlags): Promise<{ store: ImageStore; done: () => void }> {
  const root = parseDataDir(flags.dataDir);
  const [{ ImageStore: Store }, { progressReporter }] = await Promise.all([import('@tincan/image'), import('./progress')]);
  const reporter = progressReporter(flags.quiet ?? false);
  const s = new Store({
    ...(root !== undefined && { root }),
    onProgress: (e: ProgressEvent) => reporter.update(e),
    log: (line: string) => reporter.log(line),
    insecureRegistries: flags.insecureRegistry ?? [],
  });
  return { store: s, done: () => reporter.stop() };
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

function withStoreFlags(c: Command): Command {
  return c
    .option('--data-dir <dir>', 'where images and layers are stored (default /var/lib/tincan)', process.env.TINCAN_DATA_DIR)
    .option('-q, --quiet', 'no progress output')
    .option('--insecure-registry <host[:port]>', 'allow plain http for this registry (repeatable)', collect);
}

async function withStore<T>(flags: StoreFlags, fn: (s: ImageStore) => Promise<T>): Promise<T> {
  const { store: s, done } = await store(flags);
  try {
    return await fn(s);
  } finally {
    done();
  }
}

/** pull, import, images, inspect, rmi, prune, unpack. */
export function imageCommands(): Command[] {
  return [
    withStoreFlags(new Command('pull').description('pull an image from a registry').argument('<ref>'))
      .action(async (ref: string, f: StoreFlags) => {
        const img = await withStore(f, (s) => s.pull(ref));
        process.stdout.write(`${img.digest}\n`);
      }),
    withStoreFlags(new Command('import').description('import an OCI layout, oci-archive or docker-archive').argument('<file>').argument('[name]'))
      .action(async (file: string, name: string | undefined, f: StoreFlags) => {
        const img = await withStore(f, (s) => s.import(file, name));
        process.stdout.write(`${img.digest}\n`);
      }),
    withStoreFlags(new Command('images').description('list stored images'))
      .action(async (f: StoreFlags) => {
        const list = await withStore(f, (s) => s.list());
        process.stdout.write(`${'REFERENCE'.padEnd(48)} ${'DIGEST'.padEnd(19)} SIZE\n`);
        for (const i of list) {
          for (const name of i.names.length ? i.names : ['<none>']) {
            process.stdout.write(`${name.padEnd(48)} ${i.digest.slice(0, 19)} ${formatSize(i.size)}\n`);
          }
        }
      }),
    withStoreFlags(new Command('inspect').description("show an image's defaults: entrypoint, cmd, env, workdir, user, exposed ports, labels").argument('<ref>'))
      .action(async (ref: string, f: StoreFlags) => {
        const defaults = await withStore(f, (s) => s.defaults(ref));
        process.stdout.write(`${JSON.stringify(defaults, null, 2)}\n`);
      }),
    withStoreFlags(new Command('rmi').description('remove an image').argument('<ref...>'))
      .action(async (refs: string[], f: StoreFlags) => {
        await withStore(f, async (s) => {
          for (const r of refs) await s.remove(r);
        });
      }),
    withStoreFlags(new Command('prune').description('remove blobs and layers no image uses'))
      .action(async (f: StoreFlags) => {
        const r = await withStore(f, (s) => s.prune());
        process.stdout.write(`removed ${r.blobs} blobs, ${r.layers} layers, ${formatSize(r.bytes)}\n`);
      }),
    withStoreFlags(new Command('unpack').description('extract an image into DIR/rootfs and write DIR/config.json (an OCI bundle)').argument('<image>').argument('<dir>'))
      .option('--no-cache', 'extract from the blobs without using the layer cache')
      .action(async (image: string, dir: string, f: StoreFlags & { cache: boolean }) => {
        await withStore(f, (s) => s.unpack(image, dir, { noCache: !f.cache }));
      }),
  ];
}

function formatSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${n.toFixed(u ? 1 : 0)} ${units[u]}`;
}
