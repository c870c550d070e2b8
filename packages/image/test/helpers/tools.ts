/** Peer tools the tests drive (skopeo, docker-registry, umoci, runc): found on PATH or the suite is skipped, never in CI. */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export function findTool(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin']);
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * `describe` when every tool is installed; otherwise a skipped describe whose title says what is
 * missing. Under CI a missing tool fails the suite instead (the CI machine must have them).
 */
export function describeWithTools(tools: string[], title: string, body: () => void): void {
  const missing = tools.filter((t) => findTool(t) === undefined);
  if (missing.length === 0) return describe(title, body);
  if (process.env.CI) {
    describe(title, () => {
      it(`has ${tools.join(', ')}`, () => {
        throw new Error(`CI must install ${missing.join(', ')} (apt-get install ${missing.join(' ')})`);
      });
    });
    return;
  }
  describe.skip(`${title} [skipped: ${missing.join(', ')} not installed]`, body);
}

export async function run(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr || err.message}`);
  }
}
