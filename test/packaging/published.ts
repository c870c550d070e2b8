/** What a published package must do once installed alone, from its tarball, in another project. */
export interface Expectation {
  /** Why installing it brings koffi (a native addon), or false: it must not. */
  koffi: string | false;
  /** A JavaScript expression over the package's exports `m` (and `fs`), evaluated as ESM and as CJS... */
  probe: string;
  /** ...and its value, compared as JSON. */
  gives: unknown;
  /** TypeScript using the package's types, checked strictly both as an ES module and as CommonJS. */
  types: string;
}

/** Every package that is not private: the test fails for one missing here, so a new package says what it needs. */
export const PUBLISHED: Readonly<Record<string, Expectation>> = {
  '@tincan/libc-core': {
    koffi: false,
    probe: "[new m.SyscallError('open', 2, '/x').message, m.errnoName(1)]",
    gives: ['open /x: ENOENT', 'EPERM'],
    types: `import { CLONE_NEWUSER, SyscallError, type LibcNotInstalledError } from '@tincan/libc-core';
export const error: SyscallError = new SyscallError('open', 2, '/x');
export const flag: number = CLONE_NEWUSER;
export const feature = (e: LibcNotInstalledError): string => e.feature;`,
  },
  '@tincan/libc': {
    koffi: 'its bindings call libc through koffi',
    probe: `(() => {
      try { m.openat2(m.AT_FDCWD, '/nonexistent', m.O_RDONLY, 0, 0); } catch (e) { return [e instanceof m.SyscallError, e.code]; }
    })()`,
    gives: [true, 'ENOENT'],
    types: `import { AT_FDCWD, O_RDONLY, openat2, type BpfProgLoad } from '@tincan/libc';
export const open = (path: string): number => openat2(AT_FDCWD, path, O_RDONLY, 0, 0);
export const load: Partial<BpfProgLoad> = { license: 'Apache' };`,
  },
  '@tincan/seccomp-bpf': {
    koffi: false,
    probe: "(() => { const p = m.compile(m.profiles.default, { arch: 'x86_64' }); return [p.length > 0, p.length % 8]; })()",
    gives: [true, 0],
    types: `import { compile, profiles, type SeccompProfile } from '@tincan/seccomp-bpf';
const profile: SeccompProfile = profiles.contained;
export const program: Buffer = compile(profile, { arch: 'aarch64' });`,
  },
  '@tincan/capabilities': {
    koffi: false,
    probe: `[
      m.resolveCapabilities({ drop: ['ALL'], add: ['chown'], lastCap: 40 }).names(),
      m.readThreadCapabilities().effective.has('SYS_ADMIN'),
    ]`,
    gives: [['CAP_CHOWN'], true],
    types: `import { CapabilitySet, containerCapabilities, type ProcessCapabilities } from '@tincan/capabilities';
export const caps: ProcessCapabilities = containerCapabilities(CapabilitySet.fromNames(['CHOWN']), { user: 'root' });`,
  },
  '@tincan/cgroups-v2': {
    koffi: false,
    probe: "[String(m.parseBytes('64m')), m.compileDeviceFilter(m.DEFAULT_DEVICE_RULES).length % 8]",
    gives: ['67108864', 0],
    types: `import { Cgroup, DEFAULT_DEVICE_RULES, type CgroupLimits, type DeviceRule } from '@tincan/cgroups-v2';
const limits: CgroupLimits = { pids: { max: 64 } };
const devices: readonly DeviceRule[] = DEFAULT_DEVICE_RULES;
export const create = (): Promise<Cgroup> => Cgroup.create('c', { limits, devices });`,
  },
  '@tincan/namespaces': {
    koffi: false,
    // joining a namespace file needs the optional peer @tincan/libc: without it, the error says so
    probe: `[
      m.planNamespaces([{ type: 'user' }]).cloneFlags,
      (() => { try { m.namespaceFileType('/proc/self/ns/net'); } catch (e) { return e.name; } })(),
    ]`,
    gives: [0x10000000, 'LibcNotInstalledError'],
    types: `import { formatIdMap, planNamespaces, type NamespacePlan } from '@tincan/namespaces';
export const plan: NamespacePlan = planNamespaces([{ type: 'user' }, { type: 'net', path: '/run/netns/a' }]);
export const text: string = formatIdMap([{ containerId: 0, hostId: 100000, size: 65536 }]);`,
  },
  '@tincan/nsexec': {
    koffi: false,
    probe: '(fs.statSync(m.helperPath()).mode & 0o111) !== 0',
    gives: true,
    types: `import { helperPath, startProcess, type StartOptions } from '@tincan/nsexec';
export const helper: string = helperPath();
export const start = (options: StartOptions): ReturnType<typeof startProcess> => startProcess(options);`,
  },
  '@tincan/mounts': {
    koffi: false,
    probe: "m.containerPath('/a/../b/', 'volume')",
    gives: '/b',
    types: `import { DEFAULT_MASKED_PATHS, containerPath, type FilesystemSpec } from '@tincan/mounts';
export const masked: readonly string[] = DEFAULT_MASKED_PATHS;
export const path: string = containerPath('/data', 'volume');
export type Spec = FilesystemSpec;`,
  },
  '@tincan/layer': {
    koffi: 'its engine makes openat2(2), *at() and xattr calls (through @tincan/libc)',
    probe: "[new m.LayerError('a', 'why', 'l.tar').message, m.isLayerMediaType('application/vnd.oci.image.layer.v1.tar+zstd')]",
    gives: ['layer l.tar: entry "a": why', true],
    types: `import { applyLayer, DEFAULT_LIMITS, type ApplyOptions, type LayerResult } from '@tincan/layer';
const opts: ApplyOptions = { mode: 'overlay', limits: { maxEntries: DEFAULT_LIMITS.maxEntries } };
export const apply = (file: string, dest: string): Promise<LayerResult> => applyLayer(file, dest, opts);`,
  },
  '@tincan/image': {
    koffi: 'it depends on @tincan/layer, and its store lock makes flock(2) calls (through @tincan/libc)',
    probe: 'm.hostPlatform().os',
    gives: 'linux',
    types: `import { ImageStore, type ImageRecord } from '@tincan/image';
export const list = (store: ImageStore): Promise<ImageRecord[]> => store.list();`,
  },
  '@tincan/runtime': {
    koffi: 'it assembles every package, the ones that make system calls included (through @tincan/libc)',
    probe: '[typeof m.createRuntime, Array.isArray(m.SETUP_ORDER)]',
    gives: ['function', true],
    types: `import { createRuntime, type ContainerSpec, type Plugin } from '@tincan/runtime';
export const runtime = createRuntime();
export const spec: Partial<ContainerSpec> = { command: ['true'] };
export type P = Plugin;`,
  },
};
