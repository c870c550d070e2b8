import { compile, loadProfile, nativeArch, profiles } from '../src';

// docker's default profile, for a container that holds these capabilities (so no mount, no unshare)
export const filter = compile(profiles.default, { arch: nativeArch(), capabilities: ['CAP_CHOWN', 'CAP_KILL'] });

// a docker/OCI JSON profile: allow everything but the kernel keyring
const profile = loadProfile({
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['keyctl', 'add_key', 'request_key'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
});
export const keyringOff = compile(profile, { arch: 'x86_64' });

// each is a Buffer of struct sock_filter (8 bytes an instruction), ready for
// seccomp(SECCOMP_SET_MODE_FILTER, 0, &(struct sock_fprog){ .len = buf.length / 8, .filter = buf })
