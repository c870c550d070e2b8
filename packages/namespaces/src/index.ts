/**
 * @tincan/namespaces — Linux namespaces for a new or existing process: types and clone flags,
 * validated join/create plans, uid/gid maps (parse, validate, write) and `--userns auto` ranges.
 */
export { NAMESPACE_TYPES, type NamespaceType, cloneFlag, procName, namespaceTypeOfFlag, isNamespaceType } from './types';
export { NamespaceSpecError, IdMapError } from './errors';
export { planNamespaces, JOIN_ORDER, type NamespaceSpec, type NamespaceJoin, type NamespacePlan } from './plan';
export { namespaceFileType, namespaceId, sameNamespace } from './ns-file';
export {
  type IdMapping,
  MAX_ID_MAP_LINES,
  parseIdMap,
  idMapFromOci,
  validateIdMap,
  formatIdMap,
  toHostId,
  toContainerId,
  parseProcIdMap,
} from './idmap';
export { writeIdMaps, readIdMap, type IdMapsToWrite } from './idmap-proc';
export { autoIdMap, releaseAutoIdMap, AUTO_ID_MAP_SIZE, type AutoIdMapOptions, type AutoIdMap } from './userns-auto';
