import { quotedExample } from '@tincan/testkit';
import { SyscallError } from '../src';

const { example, readme } = quotedExample(__dirname, '@tincan/libc-core');

describe('README example', () => {
  it('is test/readme-example.ts, quoted', () => expect(readme).toContain('```ts\n' + example + '```'));

  it('gives what its comments say', async () => {
    const { firstLine, flags } = await import('./readme-example');
    expect(flags).toBe(0x20020000);
    expect(firstLine('/proc/self/status')).toMatch(/^Name:/);
    let err: unknown;
    try {
      firstLine('/nope');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect(err).toMatchObject({ message: 'open /nope: ENOENT', code: 'ENOENT', errno: 2, syscall: 'open', path: '/nope' });
  });
});
