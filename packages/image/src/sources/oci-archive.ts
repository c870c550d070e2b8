import { readFile, rm } from 'node:fs/promises';
import { ImageError } from '../errors';
import { type LayoutFiles, OciLayoutSource } from './oci-layout';
import type { StagedArchive } from './archive-stage';

const BLOB_ENTRY = /^blobs\/sha256\/([a-f0-9]{64})$/;

/** An oci-archive (a tar of an OCI layout), once staged: read as a layout; closing drops the staging dir. */
export function ociArchiveSource(staged: StagedArchive, tag: string | undefined): OciLayoutSource {
  verifyBlobNames(staged);
  return new OciLayoutSource(staged.reference, stagedLayoutFiles(staged), { tag }, () => rm(staged.dir, { recursive: true, force: true }));
}

/** Each `blobs/sha256/<hex>` entry must hash to its own name (the archive's only integrity claim). */
function verifyBlobNames(staged: StagedArchive): void {
  for (const [name, file] of staged.files) {
    const hex = BLOB_ENTRY.exec(name)?.[1];
    if (hex !== undefined && file.digest !== `sha256:${hex}`) {
      throw new ImageError(`blob digest mismatch: expected sha256:${hex}, got ${file.digest}`, { reference: staged.reference, blob: `sha256:${hex}`, entry: name });
    }
  }
}

function stagedLayoutFiles(staged: StagedArchive): LayoutFiles {
  return {
    readTopFile: (name) => readFile(staged.blobPath(staged.require(name).digest)),
    blobPath: (digest) => staged.blobPath(digest),
  };
}
