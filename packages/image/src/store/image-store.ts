import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { extractLayers } from '@tincan/layer';
import { type ImageDefaults, imageDefaults } from '../config/defaults';
import { buildRuntimeSpec } from '../config/runtime-spec';
import { resolveUser } from '../config/users';
import { ImageError, asImageError } from '../errors';
import { parseJson } from '../json';
import { bounded, quote } from '../text';
import { type ImageReference, type SourceSpec, formatImageReference, normalizeImageName, parseImageReference, parseSource, tryNormalizeImageName } from '../reference';
import type { RegistryClient } from '../registry/client';
import { type PreparedRootfs, assertContainerId, directoryRootfs, overlayRootfs } from '../rootfs';
import { type ImageConfig, type Platform, hostPlatform } from '../sources/oci';
import type { ImageSourceSpec, OpenContext } from '../sources/open';
import type { ImageSource } from '../sources/source';
import type { ProgressEvent, StoreContext } from './context';
import { exists } from './fs-util';
import { withLock } from './lock';
import { StorePaths, createStoreDirs } from './paths';
import type { PruneResult } from './prune';
import { type ImageRecord, type LayerRecord, findRecord, readRecords, updateRecords, upsertRecord } from './records';

// Starting from a cached image needs none of the registry, archive, tar, zstd or crypto code: those
// modules are loaded with import() by the operations that use them, so a CLI start does not pay for them.

export interface ImageStoreOptions {
  /** Store directory (default /var/lib/tincan). */
  root?: string;
  onProgress?: (event: ProgressEvent) => void;
  log?: (line: string) => void;
  /** Registries (host or host:port) spoken to over plain http; localhost/127.0.0.1 always are. */
  insecureRegistries?: string[];
  /** docker config.json holding `auths` (default $DOCKER_CONFIG/config.json, ~/.docker/config.json). */
  authFile?: string;
  /** Platform picked from image indexes (default linux and this machine's architecture). */
  platform?: Platform;
  /** Layers downloaded and unpacked at once (default 3). */
  concurrency?: number;
  /** Tries per registry request or interrupted blob (default 4) and the first retry delay (default 250 ms). */
  retry?: { attempts?: number; delayMs?: number };
}

/** When prepareRootfs/unpack may go to a registry for a bare or docker:// reference. */
export type PullPolicy = 'missing' | 'never' | 'always';

export interface PrepareOptions {
  containerId: string;
  /** No upper/work dirs: the runtime mounts the lowers read-only. */
  readOnly?: boolean;
  pull?: PullPolicy;
}

export interface PullOptions {
  /** Pick this platform from an image index instead of the store's. */
  platform?: Platform;
}

export interface UnpackOptions {
  /** Extract straight from the blobs into dir/rootfs without adding the layers to the cache. */
  noCache?: boolean;
  pull?: PullPolicy;
}

/** The store of images that gives a container its rootfs. */
export class ImageStore {
  readonly root: string;
  private readonly ctx: StoreContext;
  private readonly opts: ImageStoreOptions;
  private client?: RegistryClient;
  private storeDirs?: Promise<void>;

  constructor(opts: ImageStoreOptions = {}) {
    this.root = resolve(opts.root ?? '/var/lib/tincan');
    this.opts = opts;
    const log = opts.log ?? (() => {});
    const attempts = opts.retry?.attempts ?? 4;
    const baseDelayMs = opts.retry?.delayMs ?? 250;
    this.ctx = {
      paths: new StorePaths(this.root),
      platform: opts.platform ?? hostPlatform(),
      retry: { attempts, baseDelayMs, log },
      concurrency: opts.concurrency ?? 3,
      log,
      onProgress: opts.onProgress ?? (() => {}),
    };
  }

  /**
   * A rootfs for container `containerId` from `source`: a directory (used in place), a rootfs
   * tarball (unpacked once into the layer cache), or an image (`oci:`, `oci-archive:`,
   * `docker-archive:`, `docker://`, or a bare reference: the store first, then the registry).
   */
  async prepareRootfs(source: string, opts: PrepareOptions): Promise<PreparedRootfs> {
    assertContainerId(opts.containerId);
    const spec = parseSource(source);
    if (spec.kind === 'directory') return directoryRootfs(await existingDirectory(spec.path, source), source);
    return this.shared(async () => {
      if (spec.kind === 'tarball') {
        const { ensureTarballLayer } = await import('./tarball');
        const tarball = await ensureTarballLayer(resolve(spec.path), this.ctx);
        return overlayRootfs(this.ctx.paths, opts.containerId, { source, lowerDirs: [this.ctx.paths.layerDiff(tarball.diffId)] }, {}, opts.readOnly ?? false);
      }
      const record = await this.obtain(spec, source, opts.pull ?? 'missing', true);
      if (record.layers.length === 0) throw new ImageError('image has no layers', { reference: source });
      // overlayfs wants the topmost lower first; manifests list the base first
      const lowerDirs = [...record.layers].reverse().map((l) => this.ctx.paths.layerDiff(l.diffId));
      const defaults = imageDefaults(await this.config(record));
      return overlayRootfs(this.ctx.paths, opts.containerId, { source, image: record.digest, lowerDirs }, defaults, opts.readOnly ?? false);
    });
  }

  /** Pull `ref` (`docker://REF` or a bare reference) from its registry into the store. */
  async pull(ref: string, opts: PullOptions = {}): Promise<ImageRecord> {
    const parsed = parseImageReference(ref.startsWith('docker://') ? ref.slice('docker://'.length) : ref);
    const ctx = opts.platform ? { ...this.ctx, platform: opts.platform } : this.ctx;
    return this.shared(async () => this.ingest(await this.registrySource(parsed), undefined, true, ctx));
  }

  /** Import an OCI layout dir, oci-archive or docker-archive (transport prefix optional); `name` tags it. */
  async import(file: string, name?: string): Promise<ImageRecord> {
    const spec = TRANSPORT.test(file) ? parseSource(file) : undefined;
    const storeName = name === undefined ? undefined : normalizeImageName(name);
    return this.shared(async () => {
      const { openImageFile, openImageSource } = await import('../sources/open');
      const src = spec && isArchiveSpec(spec) ? await openImageSource(spec, file, await this.openContext()) : await openImageFile(file, await this.openContext());
      return this.ingest(src, storeName, true);
    });
  }

  list(): Promise<ImageRecord[]> {
    return this.guarded(() => readRecords(this.ctx.paths));
  }

  /** Untag a name (the image goes when its last name does) or remove an image by digest / id prefix. */
  async remove(ref: string): Promise<void> {
    const missing = (): ImageError => new ImageError('no such image in the store', { reference: ref });
    await this.guarded(async () => {
      // a store without the image is left as it is (not even created)
      if (!findRecord(await readRecords(this.ctx.paths), ref)) throw missing();
      await updateRecords(this.ctx.paths, (records) => {
        const record = findRecord(records, ref);
        if (!record) throw missing();
        const name = tryNormalizeImageName(ref);
        // by name: untag that name; by digest or id: drop every name
        record.names = name && record.names.includes(name) ? record.names.filter((n) => n !== name) : [];
        if (record.names.length === 0) records.splice(records.indexOf(record), 1);
      });
    });
  }

  /** Delete unreferenced blobs and layers, and leftovers in tmp/. Waits for running pulls/imports. A missing store is left missing. */
  async prune(): Promise<PruneResult> {
    return this.guarded(async () => {
      if (!(await exists(this.root))) return { blobs: 0, layers: 0, bytes: 0 };
      await this.createStoreDirs();
      const { pruneStore } = await import('./prune');
      return withLock(this.ctx.paths.storeLock, 'exclusive', () => pruneStore(this.ctx.paths));
    });
  }

  /** umoci-style bundle: `dir/rootfs` extracted from the image's blobs and `dir/config.json` (OCI runtime spec). */
  async unpack(ref: string, dir: string, opts: UnpackOptions = {}): Promise<void> {
    const spec = parseSource(ref);
    if (spec.kind === 'directory' || spec.kind === 'tarball') throw new ImageError('unpack needs an image, not a rootfs', { reference: ref });
    const rootfs = join(resolve(dir), 'rootfs');
    await this.shared(async () => {
      const record = await this.obtain(spec, ref, opts.pull ?? 'missing', !opts.noCache);
      await createEmptyDir(rootfs, ref);
      const results = await extractLayers(
        record.layers.map((l) => ({ input: this.ctx.paths.blob(l.digest), mediaType: l.mediaType, layer: l.digest })),
        rootfs,
        { onWarning: (w) => this.ctx.log(`${bounded(ref)}: ${quote(w.entry)}: ${w.message}`) },
      ).catch((e: unknown) => {
        throw asImageError(e, 'cannot extract', { reference: ref, path: rootfs });
      });
      results.forEach((r, i) => verifyDiffId(r.diffId, record.layers[i].diffId, ref, record.layers[i].digest));
      const config = await this.config(record);
      const user = await resolveUser(config.config?.User ?? '', [rootfs], ref);
      await writeFile(join(resolve(dir), 'config.json'), `${JSON.stringify(buildRuntimeSpec(config, user), null, 2)}\n`);
    });
  }

  /** The defaults (Entrypoint, Cmd, Env, …) of a stored image. */
  async defaults(ref: string): Promise<ImageDefaults> {
    return this.guarded(async () => {
      const record = findRecord(await readRecords(this.ctx.paths), ref);
      if (!record) throw new ImageError('no such image in the store', { reference: ref });
      return imageDefaults(await this.config(record));
    });
  }

  private async obtain(spec: ImageSourceSpec, source: string, pull: PullPolicy, cacheLayers: boolean): Promise<ImageRecord> {
    const record = spec.kind === 'name' || spec.kind === 'docker' ? await this.fromStoreOrRegistry(spec, source, pull, cacheLayers) : undefined;
    const obtained = record ?? (await this.ingest(await this.openSource(spec, source), undefined, cacheLayers));
    if (cacheLayers) await this.ensureLayers(obtained);
    return obtained;
  }

  /** Unpack the record's layers that the cache lacks (from its stored blobs); a cached image loads no unpack code. */
  private async ensureLayers(record: ImageRecord): Promise<void> {
    const missing = await missingLayers(record.layers, this.ctx.paths);
    if (missing.length === 0) return;
    const { unpackStoredLayers } = await import('./ingest');
    await unpackStoredLayers(record, missing, this.ctx);
  }

  /** A bare or docker:// reference: the store's copy unless the policy says otherwise. */
  private async fromStoreOrRegistry(spec: Extract<SourceSpec, { kind: 'name' | 'docker' }>, source: string, pull: PullPolicy, cacheLayers: boolean): Promise<ImageRecord> {
    const records = await readRecords(this.ctx.paths);
    const local = findRecord(records, spec.kind === 'name' ? source : formatImageReference(spec.ref));
    if (local && pull !== 'always') return local;
    if (pull === 'never') throw new ImageError('image is not in the store and the pull policy is "never"', { reference: source });
    return this.ingest(await this.registrySource(spec.ref), undefined, cacheLayers);
  }

  /** Ingest from a source and record it under `name` (or the source's own name), closing the source. */
  private async ingest(source: ImageSource, name: string | undefined, cacheLayers: boolean, ctx = this.ctx): Promise<ImageRecord> {
    try {
      const { ingestImage } = await import('./ingest');
      const image = await ingestImage(source, ctx, { cacheLayers });
      const names = [name ?? source.defaultName].filter((n): n is string => n !== undefined);
      return await updateRecords(this.ctx.paths, (records) => ({ ...upsertRecord(records, { ...image, names, addedAt: new Date().toISOString() }) }));
    } finally {
      await source.close();
    }
  }

  /** A stored image's config: it passed its schema when the image was stored, and its blob is named by its digest. */
  private async config(record: ImageRecord): Promise<ImageConfig> {
    const context = { reference: record.names[0] ?? record.digest, blob: record.configDigest };
    const bytes = await readFile(this.ctx.paths.blob(record.configDigest)).catch(() => {
      throw new ImageError('image config blob is missing from the store', context);
    });
    return parseJson(bytes, 'image config', context) as ImageConfig;
  }

  /** Operations that add to or read from the store hold its lock shared; prune holds it exclusively. */
  private async shared<T>(fn: () => Promise<T>): Promise<T> {
    return this.guarded(async () => {
      await this.createStoreDirs();
      return withLock(this.ctx.paths.storeLock, 'shared', fn);
    });
  }

  /** Run a public operation: a failed system call in the store (ENOENT, EACCES, ENOSPC, …) surfaces as an ImageError naming its path. */
  private async guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw storeError(e, this.root);
    }
  }

  /** Once per store: every operation after the first finds the dirs made (a failed attempt is retried next time). */
  private createStoreDirs(): Promise<void> {
    this.storeDirs ??= createStoreDirs(this.ctx.paths).catch((e: unknown) => {
      this.storeDirs = undefined;
      throw e;
    });
    return this.storeDirs;
  }

  /** The registry client, made on first use: only pulls need it. */
  private async registry(): Promise<RegistryClient> {
    if (!this.client) {
      const { RegistryClient: Client } = await import('../registry/client');
      const { insecureRegistries, authFile } = this.opts;
      const { attempts, baseDelayMs, log } = this.ctx.retry;
      // a concurrent first call may have made it while the module loaded
      this.client ??= new Client({ insecureRegistries, authFile, log, attempts, retryDelayMs: baseDelayMs });
    }
    return this.client;
  }

  private async registrySource(ref: ImageReference): Promise<ImageSource> {
    const { RegistrySource } = await import('../sources/registry-source');
    return new RegistrySource(await this.registry(), ref);
  }

  private async openSource(spec: ImageSourceSpec, source: string): Promise<ImageSource> {
    const { openImageSource } = await import('../sources/open');
    return openImageSource(spec, source, await this.openContext());
  }

  private async openContext(): Promise<OpenContext> {
    return {
      client: await this.registry(),
      stagingDir: () => mkdtemp(join(this.ctx.paths.tmp, 'stage-')),
    };
  }
}

const TRANSPORT = /^(?:oci|oci-archive|docker-archive):/;

function isArchiveSpec(spec: SourceSpec): spec is Extract<SourceSpec, { kind: 'oci' | 'oci-archive' | 'docker-archive' }> {
  return spec.kind === 'oci' || spec.kind === 'oci-archive' || spec.kind === 'docker-archive';
}

/** The layers whose directory is not in the layer cache. */
async function missingLayers(layers: readonly LayerRecord[], paths: StorePaths): Promise<LayerRecord[]> {
  const cached = await Promise.all(layers.map((l) => exists(paths.layer(l.diffId))));
  return layers.filter((_, i) => !cached[i]);
}

/** Node's and libc's errno errors as ImageErrors naming the path (the store root when they name none). */
function storeError(e: unknown, root: string): unknown {
  // duck-typed: Node's errors may come from another realm, where instanceof Error fails
  const err = (e ?? {}) as Partial<NodeJS.ErrnoException>;
  if (e instanceof ImageError || typeof err.code !== 'string' || typeof err.syscall !== 'string') return e;
  return new ImageError(`${err.syscall} failed (${err.code})`, { path: err.path || root }, { cause: e });
}

function verifyDiffId(actual: string, expected: string, reference: string, blob: string): void {
  if (actual !== expected) throw new ImageError(`layer diffId mismatch: config says ${expected}, uncompressed content is ${actual}`, { reference, blob });
}

async function existingDirectory(path: string, source: string): Promise<string> {
  const abs = resolve(path);
  const st = await stat(abs).catch((e: NodeJS.ErrnoException) => {
    throw new ImageError(`rootfs directory is not accessible (${e.code ?? e.message})`, { reference: source, path: abs });
  });
  if (!st.isDirectory()) throw new ImageError('not a directory (rootfs tarballs must end in .tar, .tar.gz, .tgz or .tar.zst)', { reference: source, path: abs });
  return abs;
}

/** unpack never mixes an image into existing files: the rootfs dir must be new or empty. */
async function createEmptyDir(path: string, reference: string): Promise<void> {
  await mkdir(path, { recursive: true });
  if ((await readdir(path)).length > 0) throw new ImageError('bundle rootfs is not empty', { reference, path });
}
