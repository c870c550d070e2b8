// Known class the runtime already handles (CVE-2019-5736, runc /proc/self/exe overwrite): the command,
// or PID 1 while it is still the runtime's helper, opens /proc/PID/exe for writing to replace the host
// binary that runs the next container. The helper runs from a sealed memfd copy of itself; the
// command's exe is its own binary. The host's helper and node binaries must be byte-for-byte intact.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { helperPath } from '@tincan/nsexec';
import { ROOTFS } from '../e2e/helpers';
import { cli, copyRootfs, expectClean, removeScratch, scratch, sha256 } from './helpers';

describe('handled: overwriting the runtime through /proc/PID/exe (CVE-2019-5736)', () => {
  const binaries = [helperPath(), process.execPath];
  let hashes: string[];
  let base: string;
  let image: string;

  beforeAll(() => {
    hashes = binaries.map(sha256);
    base = scratch();
    image = copyRootfs(join(base, 'rootfs'));
    // an entrypoint whose interpreter is whatever binary execs it: the runtime's helper, at the exec step
    writeFileSync(join(image, 'evil'), '#!/proc/self/exe\n', { mode: 0o755 });
  });
  afterAll(() => removeScratch(base));
  afterEach(() => {
    expectClean(base);
    expect(binaries.map(sha256)).toEqual(hashes);
  });

  it.each([
    ['the default flags', []],
    ['--userns auto', ['--userns', 'auto']],
    ['--cap-add SYS_ADMIN --cap-add SYS_PTRACE --security-opt seccomp=unconfined', ['--cap-add', 'SYS_ADMIN', '--cap-add', 'SYS_PTRACE', '--security-opt', 'seccomp=unconfined']],
  ])('with %s, /proc/1/exe and /proc/self/exe cannot be opened for writing', (_name, flags: string[]) => {
    const r = cli(['run', ...flags, ROOTFS, 'sh', '-c', 'probe write-exe 1; probe write-exe self; readlink /proc/1/exe']);
    expect(r.stdout).not.toContain('WRITABLE');
    expect(r.stdout).toMatch(/^write-exe: E[A-Z]+\nwrite-exe: E[A-Z]+\n\/bin\/busybox\n$/);
  });

  it.each([
    ['/proc/self/exe as the command', ['/proc/self/exe']],
    ['a #!/proc/self/exe entrypoint', ['/evil']],
    ['a #!/proc/self/exe entrypoint with arguments', ['/evil', String(process.pid)]],
  ])('%s runs no host binary and changes none', (_name, command) => {
    const r = cli(['run', image, ...command]);
    // the helper's sealed copy finds no setup program and stops; nothing else may happen
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
  });
});
