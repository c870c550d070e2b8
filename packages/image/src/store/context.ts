import type { RetryPolicy } from '../registry/http';
import type { Platform } from '../sources/oci';
import type { StorePaths } from './paths';

/** Download progress of one layer blob, for the CLI's progress bars. */
export interface ProgressEvent {
  kind: 'layer';
  digest: string;
  bytes: number;
  total: number;
  /** true once the blob is verified (or was already in the store) */
  done: boolean;
}

/** What the store's operations share. */
export interface StoreContext {
  paths: StorePaths;
  platform: Platform;
  retry: RetryPolicy;
  /** Layers downloaded and unpacked at once. */
  concurrency: number;
  log: (line: string) => void;
  onProgress: (event: ProgressEvent) => void;
}
