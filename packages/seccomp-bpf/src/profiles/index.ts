import { contained } from './contained';
import { dockerDefault } from './docker-default';

/** Built-in profiles: `contained` (default allow, contained.c's deny list) and `default` (docker's allow-list). */
export const profiles = Object.freeze({ contained, default: dockerDefault });
