import type { Arch } from './types';

/** seccomp_data.arch of each supported architecture (AUDIT_ARCH_* in linux/audit.h). */
export const AUDIT_ARCH: Readonly<Record<Arch, number>> = Object.freeze({
  x86_64: 0xc000003e,
  aarch64: 0xc00000b7,
});

/** x86_64 marks x32-ABI syscalls with this bit in nr; the audit arch is still x86_64, so it must be checked. */
export const X32_SYSCALL_BIT = 0x40000000;

const ARCHES: readonly Arch[] = Object.freeze(Object.keys(AUDIT_ARCH) as Arch[]);

export function isArch(value: unknown): value is Arch {
  return typeof value === 'string' && (ARCHES as readonly string[]).includes(value);
}

/** The architecture this Node process runs on. */
export function nativeArch(): Arch {
  if (process.arch === 'x64') return 'x86_64';
  if (process.arch === 'arm64') return 'aarch64';
  throw new Error(`seccomp-bpf: unsupported CPU architecture "${process.arch}" (x64 and arm64 only)`);
}
