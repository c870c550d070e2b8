import { open, readFile, rm } from 'node:fs/promises';
import { ImageError } from '../errors';
import { parseJson } from '../json';
import { type ImageReference, formatImageReference, tryNormalizeImageName } from '../reference';
import { validateDocument } from '../schema/validate';
import { quote } from '../text';
import type { StagedArchive, StagedFile } from './archive-stage';
import { layerMediaType, sniffCompression } from './compression';
import { type Descriptor, MediaType } from './oci';
import type { BlobStream, ImageSource, RootDocument } from './source';

/** One image of a `docker save` archive's manifest.json (schema/tincan/docker-archive-manifest.json). */
interface DockerArchiveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

/**
 * A `docker save` archive (legacy `<id>/layer.tar` paths or the blobs/sha256 layout of newer
 * docker), presented as an image with an OCI manifest synthesised from its manifest.json.
 */
export class DockerArchiveSource implements ImageSource {
  readonly reference: string;
  private rootDoc?: RootDocument;
  private chosenName?: string;

  constructor(
    private readonly staged: StagedArchive,
    private readonly wanted: ImageReference | undefined,
  ) {
    this.reference = staged.reference;
  }

  get defaultName(): string | undefined {
    return this.chosenName;
  }

  async root(): Promise<RootDocument> {
    this.rootDoc ??= await this.synthesizeManifest();
    return this.rootDoc;
  }

  async manifest(desc: Descriptor): Promise<Buffer> {
    throw new ImageError('docker archives have no image index', { reference: this.reference, blob: desc.digest });
  }

  async openBlob(desc: Descriptor, offset: number): Promise<BlobStream> {
    const handle = await open(this.staged.blobPath(desc.digest), 'r').catch(() => {
      throw new ImageError('blob is missing from the archive', { reference: this.reference, blob: desc.digest });
    });
    return { stream: handle.createReadStream({ start: offset }), offset };
  }

  close(): Promise<void> {
    return rm(this.staged.dir, { recursive: true, force: true });
  }

  private async synthesizeManifest(): Promise<RootDocument> {
    const entry = this.chooseEntry(await this.readEntries());
    const config = this.staged.require(entry.Config);
    const layers: Descriptor[] = [];
    for (const path of entry.Layers) layers.push(await this.layerDescriptor(path, this.staged.require(path)));
    this.chosenName = this.wanted ? formatImageReference(this.wanted) : firstName(entry.RepoTags ?? []);
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: config.digest, size: config.size },
      layers,
    };
    return { bytes: Buffer.from(JSON.stringify(manifest)), mediaType: MediaType.ociManifest };
  }

  private async readEntries(): Promise<DockerArchiveEntry[]> {
    const context = { reference: this.reference, entry: 'manifest.json' };
    const file = this.staged.require('manifest.json');
    return validateDocument('dockerArchiveManifest', parseJson(await readFile(this.staged.blobPath(file.digest)), 'manifest.json', context), 'manifest.json', context);
  }

  private chooseEntry(entries: DockerArchiveEntry[]): DockerArchiveEntry {
    const all = entries.flatMap((e) => e.RepoTags ?? []).map((t) => quote(t)).join(', ') || 'none';
    if (this.wanted) {
      const want = formatImageReference(this.wanted);
      const found = entries.find((e) => e.RepoTags?.some((t) => tryNormalizeImageName(t) === want));
      if (!found) throw new ImageError(`archive has no image ${want} (tags: ${all})`, { reference: this.reference });
      return found;
    }
    if (entries.length !== 1) throw new ImageError(`archive holds ${entries.length} images; name one with :REF (tags: ${all})`, { reference: this.reference });
    return entries[0];
  }

  /** Layer files carry no media type in a docker archive: sniff the compression. */
  private async layerDescriptor(path: string, file: StagedFile): Promise<Descriptor> {
    if (file.size === 0) throw new ImageError('empty layer file', { reference: this.reference, entry: path });
    const compression = await sniffCompression(this.staged.blobPath(file.digest));
    return { mediaType: layerMediaType(compression), digest: file.digest, size: file.size };
  }
}

function firstName(tags: string[]): string | undefined {
  return tags.map(tryNormalizeImageName).find((n): n is string => n !== undefined);
}
