/** Test support shared by tincan's packages (private; tests only). */
export { busyboxRootfs } from './rootfs';
export { startReady, type ReadyProcess } from './start-ready';
export { quotedExample } from './readme';
export { prng } from './prng';
export { FUZZ_TIMEOUT_MS, fuzzParameters, isOneBoundedLine, type FuzzParameters } from './fuzz';
