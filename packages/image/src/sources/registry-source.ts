import { type ImageReference, formatImageReference } from '../reference';
import type { RegistryClient } from '../registry/client';
import type { Descriptor } from './oci';
import type { BlobStream, ImageSource, RootDocument } from './source';

/** A repository of an OCI distribution registry, addressed by tag or digest. */
export class RegistrySource implements ImageSource {
  readonly reference: string;
  readonly defaultName: string;

  constructor(
    private readonly client: RegistryClient,
    private readonly ref: ImageReference,
  ) {
    this.reference = formatImageReference(ref);
    this.defaultName = this.reference;
  }

  async root(): Promise<RootDocument> {
    const { bytes, mediaType } = await this.client.getManifest(this.ref, this.ref.digest ?? this.ref.tag ?? 'latest');
    return { bytes, mediaType, ...(this.ref.digest && { digest: this.ref.digest }) };
  }

  async manifest(desc: Descriptor): Promise<Buffer> {
    return (await this.client.getManifest(this.ref, desc.digest)).bytes;
  }

  openBlob(desc: Descriptor, offset: number): Promise<BlobStream> {
    return this.client.openBlob(this.ref, desc.digest, offset);
  }

  async close(): Promise<void> {}
}
