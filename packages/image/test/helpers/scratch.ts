/** Temporary directories for a test file, removed after it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchDir(prefix: string): { path: (...parts: string[]) => string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), `tincan-image-${prefix}-`));
  return { path: (...parts) => join(root, ...parts), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
