#!/usr/bin/env node
// Generates dist/ops.h, the C side of the setup program's contract, from the op table in src/ops.ts
// (through the built dist/index.js): op codes, named argument indices, flag bits, limits and the
// protocol version. Run by the package's build, after tsup and before cc.   Usage: node scripts/gen-ops-header.mjs
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const { opsHeader } = createRequire(import.meta.url)(join(pkg, 'dist', 'index.js'));
writeFileSync(join(pkg, 'dist', 'ops.h'), opsHeader());
