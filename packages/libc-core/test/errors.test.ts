import { KernelFeatureError, SyscallError, errnoName } from '../src';

/** A second copy of the module, as an ES module build, a bundle or a second install would load it. */
function secondCopy(): typeof import('../src/errors') {
  let copy: typeof import('../src/errors') | undefined;
  jest.isolateModules(() => {
    copy = require('../src/errors') as typeof import('../src/errors');
  });
  if (copy === undefined) throw new Error('no second copy');
  return copy;
}

describe('errnoName', () => {
  it('names errno values from Node\'s table, and numbers unknown ones', () => {
    expect([errnoName(1), errnoName(2), errnoName(38)]).toEqual(['EPERM', 'ENOENT', 'ENOSYS']);
    expect(errnoName(9999)).toBe('E9999');
  });
});

describe('SyscallError', () => {
  it('carries errno, its name, the syscall, the path and a detail in its message', () => {
    const err = new SyscallError('write', 1, '/proc/1/uid_map', '"0 0 1\\n"');
    expect(err).toMatchObject({ name: 'SyscallError', errno: 1, code: 'EPERM', syscall: 'write', path: '/proc/1/uid_map' });
    expect(err.message).toBe('write /proc/1/uid_map: EPERM ("0 0 1\\n")');
    expect(new SyscallError('mkdir', 17).message).toBe('mkdir: EEXIST');
  });

  it('is recognised by instanceof across copies of the package, both ways', () => {
    const copy = secondCopy();
    expect(copy.SyscallError).not.toBe(SyscallError);
    expect(new copy.SyscallError('open', 2)).toBeInstanceOf(SyscallError);
    expect(new SyscallError('open', 2)).toBeInstanceOf(copy.SyscallError);
  });

  it('is not claimed for other errors, even one with the same name and fields', () => {
    const lookalike = Object.assign(new Error('open: ENOENT'), { name: 'SyscallError', errno: 2, syscall: 'open' });
    expect(lookalike).not.toBeInstanceOf(SyscallError);
    expect(new KernelFeatureError('x', 'y')).not.toBeInstanceOf(SyscallError);
    expect(null).not.toBeInstanceOf(SyscallError);
  });

  it('keeps plain prototype checks for a subclass', () => {
    class OpenError extends SyscallError {}
    expect(new OpenError('open', 2)).toBeInstanceOf(SyscallError);
    expect(new SyscallError('open', 2)).not.toBeInstanceOf(OpenError);
  });
});
