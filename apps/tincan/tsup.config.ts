import { defineConfig } from 'tsup';
import { base } from '../../tsup.base.mjs';
import pkg from './package.json';

export default defineConfig([
  // the library (embedding API): dependencies stay external
  { ...base, entry: ['src/index.ts'] },
  // the CLI: one bundled file, so that start-up reads, compiles (and code-caches) a single script
  {
    ...base,
    entry: ['src/cli.ts'],
    format: ['cjs'],
    dts: false,
    clean: false,
    sourcemap: false,
    noExternal: [/.*/],
    // loaded on demand, from node_modules: the image store and progress bars are large
    external: ['koffi', '@tincan/image', 'cli-progress'],
    define: { TINCAN_VERSION: JSON.stringify(pkg.version) },
    // smaller source and code cache: less to read and deserialise at every start
    minify: true,
    keepNames: true,
  },
]);
