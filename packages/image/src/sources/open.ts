import { rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ImageError } from '../errors';
import type { SourceSpec } from '../reference';
import type { RegistryClient } from '../registry/client';
import { type StagedArchive, stageArchive } from './archive-stage';
import { DockerArchiveSource } from './docker-archive';
import { ociArchiveSource } from './oci-archive';
import { OciLayoutSource, directoryLayoutFiles } from './oci-layout';
import { RegistrySource } from './registry-source';
import type { ImageSource } from './source';

/** What opening a source may need: a registry client, and a fresh staging directory for archives. */
export interface OpenContext {
  client: RegistryClient;
  stagingDir(): Promise<string>;
}

/** The image sources: every SourceSpec kind except plain rootfs directories and tarballs. */
export type ImageSourceSpec = Exclude<SourceSpec, { kind: 'directory' } | { kind: 'tarball' }>;

/** Open an image source; `reference` is the string the user wrote (for messages). */
export async function openImageSource(spec: ImageSourceSpec, reference: string, ctx: OpenContext): Promise<ImageSource> {
  switch (spec.kind) {
    case 'oci':
      return new OciLayoutSource(reference, directoryLayoutFiles(resolve(spec.path)), { tag: spec.tag, digest: spec.digest });
    case 'oci-archive':
      return withStaged(spec.path, reference, ctx, (staged) => ociArchiveSource(staged, spec.tag));
    case 'docker-archive':
      return withStaged(spec.path, reference, ctx, (staged) => new DockerArchiveSource(staged, spec.ref));
    case 'docker':
    case 'name':
      return new RegistrySource(ctx.client, spec.ref);
  }
}

/**
 * Open a file given without a transport (ImageStore.import): a directory is an OCI layout; an
 * archive is an oci-archive if it holds an index.json, else a docker archive.
 */
export async function openImageFile(file: string, ctx: OpenContext): Promise<ImageSource> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new ImageError(`cannot import (${e.code ?? e.message})`, { reference: file, path: file });
  });
  if (st.isDirectory()) return openImageSource({ kind: 'oci', path: file }, `oci:${file}`, ctx);
  return withStaged(file, file, ctx, (staged) =>
    staged.lookup('index.json') ? ociArchiveSource(staged, undefined) : new DockerArchiveSource(staged, undefined),
  );
}

async function withStaged(file: string, reference: string, ctx: OpenContext, make: (staged: StagedArchive) => ImageSource): Promise<ImageSource> {
  const dir = await ctx.stagingDir();
  try {
    return make(await stageArchive(resolve(file), dir, reference));
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
