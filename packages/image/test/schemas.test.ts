import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

describe('the generated validators', () => {
  it('are what scripts/gen-validators.mjs makes of schema/ now', async () => {
    // fails (exit 1) when a schema changed without `pnpm --filter @tincan/image gen:schemas`
    await promisify(execFile)(process.execPath, [resolve(__dirname, '../scripts/gen-validators.mjs'), '--check']);
  });
});
