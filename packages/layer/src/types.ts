import type { Readable } from 'node:stream';
import type { IdMapping } from '@tincan/namespaces';

/** How a layer blob is compressed; 'auto' sniffs the magic bytes. */
export type Compression = 'none' | 'gzip' | 'zstd' | 'auto';

/** 'extract': apply on top of the layers already in dest; 'overlay': dest is this layer's own overlayfs lower dir. */
export type ApplyMode = 'extract' | 'overlay';

export type { IdMapping };

/** uid and gid maps applied to every entry's owner (host = map(container id)). */
export interface IdMap {
  uid: IdMapping[];
  gid: IdMapping[];
}

/** Something skipped or degraded while applying a layer (the layer still applies). */
export interface LayerWarning {
  entry: string;
  message: string;
}

/** Guards against tar bombs; every field has a default (see DEFAULT_LIMITS). */
export interface LayerLimits {
  /** entries (headers that describe a path, whiteouts included) */
  maxEntries?: number;
  /** bytes of the uncompressed tar stream */
  maxBytes?: number;
  /** bytes of one entry name or link target (each component is also capped at 255) */
  maxNameLength?: number;
  /** directories an entry's path, or a directory made for it through a symlink, may nest */
  maxDepth?: number;
}

export interface ApplyOptions {
  mode: ApplyMode;
  /** OCI or docker layer media type; decides the compression unless `compression` is given */
  mediaType?: string;
  compression?: Compression;
  /** chown to map(container id); without it owners are kept as in the layer */
  idMap?: IdMap;
  /** create char/block devices (default true; always skipped inside a user namespace) */
  devices?: boolean;
  /** digest or path naming the layer in errors */
  layer?: string;
  onWarning?(w: LayerWarning): void;
  signal?: AbortSignal;
  limits?: LayerLimits;
}

export interface LayerResult {
  /** entries applied (whiteouts included) */
  entries: number;
  /** bytes of the uncompressed tar stream */
  bytes: number;
  whiteouts: number;
  /** warnings reported through onWarning */
  warnings: number;
  /** `sha256:<hex>` of the uncompressed tar, to check against the image config's rootfs.diff_ids */
  diffId: string;
}

/** A layer to apply: a stream or a file path, and how it is compressed. */
export interface LayerInput {
  input: Readable | string;
  mediaType?: string;
  compression?: Compression;
  /** digest or path naming the layer in errors (defaults to the path when input is one) */
  layer?: string;
}

/** Options shared by every layer of extractLayers/applyLayers. */
export type MultiLayerOptions = Omit<ApplyOptions, 'mode' | 'mediaType' | 'compression' | 'layer'>;
