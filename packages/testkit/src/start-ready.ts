import { spawn } from 'node:child_process';

/** A test process that has printed "ready": whatever `argv` sets up (caps, namespaces) is in place. */
export interface ReadyProcess {
  pid: number;
  stop(): Promise<void>;
}

/** Run `argv` followed by `sh -c 'echo ready; exec sleep 30'` and wait for the "ready" line. */
export function startReady(argv: readonly string[]): Promise<ReadyProcess> {
  const [cmd, ...args] = argv as [string, ...string[]];
  const child = spawn(cmd, [...args, 'sh', '-c', 'echo ready; exec sleep 30'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  };
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve({ pid: child.pid as number, stop }));
    child.once('exit', (code) => reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr}`)));
  });
}
