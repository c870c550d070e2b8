import { readFileSync } from 'node:fs';
import { compile, loadProfile, nativeArch, profiles, SeccompProfileError, type SeccompProfile } from '@tincan/seccomp-bpf';
import type { Plugin } from '../pipeline/plugin';
import { CAPABILITY_NAMES, getShared } from '../pipeline/shared';

/** A seccomp profile file that cannot be read or loaded: names the file, then what is wrong in it. */
export class SeccompProfileFileError extends Error {
  override readonly name = 'SeccompProfileFileError';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`seccomp profile ${file}: ${detail}`);
  }
}

/** 'default' | 'contained' | 'unconfined' | a path to a docker/OCI JSON profile. */
export function seccompProfile(value: string): SeccompProfile | 'unconfined' {
  if (value === 'unconfined') return 'unconfined';
  if (value === 'default') return profiles.default;
  if (value === 'contained') return profiles.contained;
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (e) {
    throw new SeccompProfileFileError(value, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  try {
    return loadProfile(text);
  } catch (e) {
    if (e instanceof SeccompProfileError) throw new SeccompProfileFileError(value, e.message);
    throw e;
  }
}

/** The seccomp filter, compiled from the profile for this architecture and the container's capabilities. */
export function seccompPlugin(): Plugin {
  // compiling is deterministic: a warm runtime compiles each (profile, capabilities) pair once
  const compiled = new WeakMap<SeccompProfile, Map<string, Buffer>>();
  const compileOnce = (profile: SeccompProfile, caps: string[]): Buffer => {
    let byCaps = compiled.get(profile);
    if (!byCaps) compiled.set(profile, (byCaps = new Map()));
    const key = caps.join(',');
    let filter = byCaps.get(key);
    if (!filter) byCaps.set(key, (filter = compile(profile, { arch: nativeArch(), capabilities: caps })));
    return filter;
  };
  return {
    name: 'seccomp',
    prepare(ctx) {
      const chosen = ctx.spec.seccomp ?? 'default';
      const profile = typeof chosen === 'string' ? seccompProfile(chosen) : chosen;
      if (profile === 'unconfined') return;
      const caps = getShared(ctx, CAPABILITY_NAMES) ?? [];
      // without no_new_privs the kernel wants CAP_SYS_ADMIN to load a filter: load it before the user switch
      const phase = ctx.spec.noNewPrivileges === false ? 'seccomp_privileged' : 'seccomp';
      ctx.program.add(phase, { op: 'seccomp', filter: compileOnce(profile, caps) });
    },
  };
}
