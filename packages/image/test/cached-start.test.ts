import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ImageStore } from '../src';
import { writeBusyboxLayout } from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';

const execFileP = promisify(execFile);
const SRC = resolve(__dirname, '../src');
const REGISTER_TS = resolve(__dirname, 'helpers/register-ts.cjs');

/**
 * What starting from a cached image must not load: the registry, the archive readers, ingest, the
 * layer engine (@tincan/layer loads it, and fzstd, on first use; LayerError is exported) and the schema
 * validators (a stored image passed them already).
 */
const NOT_ON_THE_CACHED_PATH =
  /\/src\/registry\/|\/src\/sources\/(?!oci\.ts)|\/src\/schema\/|\/src\/store\/(ingest|blobs|layers|tarball|prune|atomic-file)\.ts|\/node_modules\/(tar-stream|fzstd)\//;

describe('a container from a cached image', () => {
  const tmp = scratchDir('cached-start');
  afterAll(() => tmp.cleanup());

  it('loads none of the registry, archive, tar or zstd code (a new Node process, as the CLI)', async () => {
    const root = tmp.path('store');
    await writeBusyboxLayout(tmp.path('layout'), '1');
    await new ImageStore({ root }).import(`oci:${tmp.path('layout')}:1`, 'local/busybox:1');
    const script = `
      const { ImageStore } = require(process.argv[1]);
      new ImageStore({ root: process.argv[2] }).prepareRootfs('local/busybox:1', { containerId: 'cached', pull: 'never' }).then(async (rootfs) => {
        await rootfs.resolveUser('app');
        await rootfs.release();
        console.log(JSON.stringify(Object.keys(require.cache)));
      }, (e) => { console.error(e.stack); process.exit(1); });`;
    const { stdout } = await execFileP(process.execPath, ['-r', REGISTER_TS, '-e', script, SRC, root]);
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded).toContain(resolve(SRC, 'store/image-store.ts'));
    expect(loaded.filter((file) => NOT_ON_THE_CACHED_PATH.test(file))).toEqual([]);
  });
});
