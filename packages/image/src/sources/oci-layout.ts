import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError } from '../errors';
import { parseJson } from '../json';
import { assertSha256, tryNormalizeImageName } from '../reference';
import { validateDocument } from '../schema/validate';
import { quote } from '../text';
import { parseIndex, requireManifestDescriptor } from './documents';
import { type Descriptor, type ImageIndex, MediaType } from './oci';
import type { BlobStream, ImageSource, RootDocument } from './source';

export const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';

/** The files of an OCI image layout, wherever they live (a directory, or an archive staged by digest). */
export interface LayoutFiles {
  /** A top-level layout file; throws ENOENT-style errors when absent. */
  readTopFile(name: 'index.json' | 'oci-layout'): Promise<Buffer>;
  /** Where the blob with this (validated) digest is, or would be. */
  blobPath(digest: string): string;
}

/** Which manifest of the layout to take: by ref.name tag, by digest, or the only one. */
export interface LayoutSelector {
  tag?: string;
  digest?: string;
}

export function directoryLayoutFiles(dir: string): LayoutFiles {
  return {
    readTopFile: (name) => readFile(join(dir, name)),
    blobPath: (digest) => join(dir, 'blobs', 'sha256', assertSha256(digest).slice('sha256:'.length)),
  };
}

/** An OCI image layout as an image source (also used for oci-archive and docker-archive once staged). */
export class OciLayoutSource implements ImageSource {
  private chosenName?: string;

  constructor(
    readonly reference: string,
    private readonly files: LayoutFiles,
    private readonly selector: LayoutSelector,
    private readonly cleanup: () => Promise<void> = async () => {},
  ) {}

  get defaultName(): string | undefined {
    return this.chosenName;
  }

  async root(): Promise<RootDocument> {
    const index = await this.readIndex();
    const desc = requireManifestDescriptor(this.choose(index), { reference: this.reference, entry: 'index.json' });
    assertSha256(desc.digest, this.reference);
    this.chosenName = nameFromAnnotations(desc.annotations);
    return { bytes: await this.manifest(desc), mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
  }

  /** A manifest blob (its size is bounded by the schema of the index that names it). */
  async manifest(desc: Descriptor): Promise<Buffer> {
    return this.withMissingBlob(desc, () => readFile(this.files.blobPath(desc.digest)));
  }

  async openBlob(desc: Descriptor, offset: number): Promise<BlobStream> {
    const handle = await this.withMissingBlob(desc, () => open(this.files.blobPath(desc.digest), 'r'));
    return { stream: handle.createReadStream({ start: offset }), offset };
  }

  close(): Promise<void> {
    return this.cleanup();
  }

  private async readIndex(): Promise<ImageIndex> {
    const ref = this.reference;
    const layout = await this.files.readTopFile('oci-layout').catch((e: NodeJS.ErrnoException) => {
      throw new ImageError(`not an OCI image layout (oci-layout: ${e.code ?? e.message})`, { reference: ref });
    });
    validateDocument('layout', parseJson(layout, 'oci-layout', { reference: ref }), 'oci-layout', { reference: ref });
    const bytes = await this.files.readTopFile('index.json').catch((e: NodeJS.ErrnoException) => {
      throw new ImageError(`OCI layout has no index.json (${e.code ?? e.message})`, { reference: ref });
    });
    return parseIndex(parseJson(bytes, 'index.json', { reference: ref }), MediaType.ociIndex, 'index.json', { reference: ref });
  }

  private choose(index: ImageIndex): Descriptor {
    const { tag, digest } = this.selector;
    const ref = this.reference;
    if (digest) {
      const found = index.manifests.find((m) => m.digest === digest);
      if (!found) throw new ImageError(`no manifest ${quote(digest)} in index.json`, { reference: ref });
      return found;
    }
    if (tag) {
      const found = index.manifests.find((m) => m.annotations?.[REF_NAME] === tag);
      if (!found) throw new ImageError(`no manifest tagged ${quote(tag)} (tags: ${tagsOf(index).map((t) => quote(t)).join(', ') || 'none'})`, { reference: ref });
      return found;
    }
    if (index.manifests.length !== 1) {
      const tags = tagsOf(index).map((t) => quote(t)).join(', ') || 'none';
      throw new ImageError(`layout holds ${index.manifests.length} manifests; name one with :TAG or @DIGEST (tags: ${tags})`, { reference: ref });
    }
    return index.manifests[0];
  }

  private async withMissingBlob<T>(desc: Descriptor, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === undefined) throw e;
      throw new ImageError(code === 'ENOENT' ? 'blob is missing from the layout' : `cannot read blob (${code})`, { reference: this.reference, blob: desc.digest });
    }
  }
}

function tagsOf(index: ImageIndex): string[] {
  return index.manifests.map((m) => m.annotations?.[REF_NAME]).filter((t): t is string => t !== undefined);
}

/** A store name from a layout annotation, when it is a full reference rather than a bare tag. */
function nameFromAnnotations(annotations: Record<string, string> | undefined): string | undefined {
  const candidates = [annotations?.[CONTAINERD_NAME], annotations?.[REF_NAME]].filter((c): c is string => c?.includes('/') === true);
  return candidates.map(tryNormalizeImageName).find((n): n is string => n !== undefined);
}
