import { startProcess, type Step } from '../src';

const CLONE_NEWUTS = 0x04000000;
const CLONE_NEWPID = 0x20000000;

// a new uts + pid namespace; set the hostname; exec the command (PID 1 there)
const steps: Step[] = [
  { op: 'clone', flags: CLONE_NEWUTS | CLONE_NEWPID },
  { op: 'release' },
  { op: 'closeFds' },
  { op: 'sethostname', name: 'sandbox' },
  { op: 'noNewPrivs' },
  { op: 'exec', file: 'sh', argv: ['sh', '-c', 'echo "$(hostname) $$"'], env: ['PATH=/bin:/usr/bin'] },
];

export async function example(): Promise<{ output: string; code: number }> {
  const child = startProcess({ steps, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  const { code } = await child.exited; // "sandbox 1", 0
  return { output, code };
}
