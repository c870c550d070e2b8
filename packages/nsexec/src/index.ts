/**
 * @tincan/nsexec — create a process from a setup program: a list of steps (namespaces, maps, mounts,
 * pivot_root, credentials, capabilities, seccomp, exec) decided in TypeScript and executed, in order,
 * by a small native helper that never runs JavaScript.
 */
export { startProcess, ContainerProcess, SetupError, helperPath } from './process';
export type { StartOptions, StdioEntry, TraceEvent, ExitStatus } from './process';
export { encodeProgram, validateProgram, describeStep, stepSyscalls, runsInMonitor, ProgramError, MAX_ID, DEFAULT_SEARCH_PATH } from './program';
export { OPS, PATH_FLAGS, PIVOT_FLAGS, PROGRAM_FLAGS, PROTOCOL_VERSION, LIMITS, type OpName, type OpSpec, type ArgKind } from './ops';
export { opsHeader, cName } from './ops-header';
export type { Step, MonitorStep, ContainerStep, PathFlag } from './program';
