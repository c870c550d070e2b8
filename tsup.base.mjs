// Shared tsup settings: ESM + CJS + .d.ts for every package.
export const base = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  // __filename/__dirname/import.meta.url in both the ESM and the CJS build
  shims: true,
};
