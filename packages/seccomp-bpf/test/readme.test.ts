import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_ARCH, nativeArch, syscallNumber } from '../src';
import { checkStructure, verdict } from './bpf-interpreter';
import { filter, keyringOff } from './readme-example';

describe('README', () => {
  it('quotes test/readme-example.ts as its example', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const example = readFileSync(join(__dirname, 'readme-example.ts'), 'utf8').replace("from '../src'", "from '@tincan/seccomp-bpf'");
    expect(block).toBe(example);
  });

  it('example programs do what the README says', () => {
    checkStructure(filter);
    checkStructure(keyringOff);
    const at = (prog: Buffer, name: string, arch = nativeArch()) =>
      verdict(prog, { nr: syscallNumber(name, arch) as number, arch: AUDIT_ARCH[arch] });
    expect(at(filter, 'openat')).toEqual({ action: 'allow' });
    expect(at(filter, 'mount')).toEqual({ action: 'errno', data: 1 });
    expect(at(keyringOff, 'keyctl', 'x86_64')).toEqual({ action: 'errno', data: 1 });
    expect(at(keyringOff, 'mount', 'x86_64')).toEqual({ action: 'allow' });
  });
});
