import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Arch, nativeArch, syscallName, syscallNumber } from '../src';
import { SYSCALLS_AARCH64 } from '../src/syscalls-aarch64';
import { SYSCALLS_X86_64 } from '../src/syscalls-x86_64';

describe('syscall tables', () => {
  it.each<[string, Arch, number]>([
    ['read', 'x86_64', 0], ['write', 'x86_64', 1], ['clone', 'x86_64', 56], ['chmod', 'x86_64', 90],
    ['keyctl', 'x86_64', 250], ['openat', 'x86_64', 257], ['fchmodat', 'x86_64', 268], ['clone3', 'x86_64', 435],
    ['openat2', 'x86_64', 437], ['read', 'aarch64', 63], ['openat', 'aarch64', 56], ['fcntl', 'aarch64', 25],
    ['newfstatat', 'aarch64', 79], ['clone', 'aarch64', 220], ['keyctl', 'aarch64', 219], ['renameat', 'aarch64', 38],
    ['clone3', 'aarch64', 435], ['memfd_secret', 'aarch64', 447],
  ])('%s is %s nr %i, and back', (name, arch, nr) => {
    expect(syscallNumber(name, arch)).toBe(nr);
    expect(syscallName(nr, arch)).toBe(name);
  });

  it.each<[string, Arch]>([['chmod', 'aarch64'], ['open', 'aarch64'], ['chown32', 'x86_64'], ['toString', 'x86_64'], ['__proto__', 'aarch64']])(
    '%s does not exist on %s', (name, arch) => {
      expect(syscallNumber(name, arch)).toBeUndefined();
    },
  );

  it('maps numbers back to names one to one', () => {
    for (const [arch, table] of [['x86_64', SYSCALLS_X86_64], ['aarch64', SYSCALLS_AARCH64]] as const) {
      for (const [name, nr] of Object.entries(table)) expect(syscallName(nr, arch)).toBe(name);
    }
    expect(syscallName(9999, 'x86_64')).toBeUndefined();
  });

  it('are what scripts/gen-syscalls.mjs generates from this machine\'s kernel headers', () => {
    const out = mkdtempSync(join(tmpdir(), 'gen-syscalls-'));
    try {
      execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'gen-syscalls.mjs'), '--out', out], { encoding: 'utf8' });
      for (const arch of ['x86_64', 'aarch64']) {
        const file = `syscalls-${arch}.ts`;
        expect(readFileSync(join(out, file), 'utf8')).toBe(readFileSync(join(__dirname, '..', 'src', file), 'utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('knows the arch this process runs on', () => {
    expect(nativeArch()).toBe(process.arch === 'x64' ? 'x86_64' : 'aarch64');
  });
});
