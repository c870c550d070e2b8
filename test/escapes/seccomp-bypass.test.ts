// Class 5: the seccomp profile. Its socket rule compares all 64 bits of the family argument, but the
// kernel reads an int: socket((1ULL << 32) | AF_VSOCK, ...) passes the "family != AF_VSOCK" rule and
// creates a vsock socket (a channel to the hypervisor host, outside the network namespace). io_uring
// (a second syscall surface that seccomp does not see) and AF_ALG (kernel crypto) stay closed too.
import { ROOTFS } from '../e2e/helpers';
import { cli, expectClean } from './helpers';

const AF_VSOCK = 40;
const AF_ALG = 38;
const SOCK_STREAM = 1;
const SOCK_SEQPACKET = 5;
const PROFILES = ['default', 'contained'];

const probe = (profile: string, ...args: string[]) => cli(['run', '--security-opt', `seccomp=${profile}`, ROOTFS, 'probe', ...args]).stdout.trim();

describe('escape class 5: seccomp', () => {
  afterEach(() => expectClean());

  it.each(PROFILES)('socket(AF_VSOCK) with junk in the upper 32 bits of the family is refused (%s profile)', (profile) => {
    // EPERM is the filter's answer: a kernel without vsock would say EAFNOSUPPORT, so this cannot pass by accident
    expect(probe(profile, 'socket', `0x1${AF_VSOCK.toString(16).padStart(8, '0')}`, String(SOCK_STREAM))).toMatch(/^socket: EPERM$/);
    expect(probe(profile, 'socket', `0xffffffff${AF_VSOCK.toString(16).padStart(8, '0')}`, String(SOCK_STREAM))).toMatch(/^socket: EPERM$/);
    expect(probe(profile, 'socket', String(AF_VSOCK), String(SOCK_STREAM))).toMatch(/^socket: EPERM$/);
  });

  it.each(PROFILES)('io_uring_setup fails with EPERM or ENOSYS (%s profile)', (profile) => {
    expect(probe(profile, 'io-uring')).toMatch(/^io_uring_setup: (EPERM|ENOSYS)$/);
  });

  it.each(PROFILES)('socket(AF_ALG) fails (%s profile)', (profile) => {
    expect(probe(profile, 'socket', String(AF_ALG), String(SOCK_SEQPACKET))).toMatch(/^socket: EPERM$/);
    expect(probe(profile, 'socket', `0x1${AF_ALG.toString(16).padStart(8, '0')}`, String(SOCK_SEQPACKET))).toMatch(/^socket: EPERM$/);
  });

  it('ordinary sockets still work (AF_UNIX, AF_INET)', () => {
    expect(probe('default', 'socket', '1', String(SOCK_STREAM))).toMatch(/^socket: ok/);
    expect(probe('default', 'socket', '2', String(SOCK_STREAM))).toMatch(/^socket: ok/);
  });
});
