import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ImageError, ImageStore } from '../src';
import { type Blob, type BuiltImage, busyboxImage, imageBlobs, makeImage, sha256, writeLayout } from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';

/** A manifest blob over `image`'s config with its layer descriptors rewritten by `edit`. */
function manifestWith(image: BuiltImage, edit: (layers: { mediaType: string; digest: string; size: number }[]) => void): Blob {
  const doc = JSON.parse(image.manifest.bytes.toString()) as { layers: { mediaType: string; digest: string; size: number }[] };
  edit(doc.layers);
  const bytes = Buffer.from(JSON.stringify(doc));
  return { mediaType: image.manifest.mediaType, bytes, digest: sha256(bytes), size: bytes.length };
}

/** Every directory that must stay empty after a failed import. */
function leftovers(root: string): string[] {
  return ['blobs/sha256', 'layers', 'tmp'].flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => `${d}/${n}`) : []));
}

describe('verification: a bad blob is an error and leaves nothing in the store', () => {
  const tmp = scratchDir('verify');
  let image: BuiltImage;
  beforeAll(async () => {
    image = await busyboxImage();
  });
  afterAll(() => tmp.cleanup());

  async function importFails(name: string, blobs: Blob[], manifest: Blob): Promise<{ error: ImageError; root: string }> {
    const dir = tmp.path(`layout-${name}`);
    writeLayout(dir, blobs, [{ blob: manifest, tag: 't' }]);
    const root = tmp.path(`store-${name}`);
    const error = await new ImageStore({ root }).import(`oci:${dir}:t`).then(
      () => {
        throw new Error('import succeeded');
      },
      (e: unknown) => e as ImageError,
    );
    expect(error).toBeInstanceOf(ImageError);
    return { error, root };
  }

  it('digest mismatch names the reference, the blob, expected and actual', async () => {
    const layer = image.layers[1];
    const tampered = { ...layer, bytes: Buffer.from(layer.bytes).fill(0, 20, 30) };
    const { error, root } = await importFails('digest', [image.manifest, image.config, image.layers[0], tampered], image.manifest);
    expect(error.message).toBe(`image oci:${tmp.path('layout-digest')}:t, blob ${layer.digest}: blob digest mismatch: expected ${layer.digest}, got ${sha256(tampered.bytes)}`);
    expect(error).toMatchObject({ blob: layer.digest, reference: `oci:${tmp.path('layout-digest')}:t` });
    expect(leftovers(root)).toEqual([]);
  });

  it('a blob longer than its descriptor says is a size mismatch', async () => {
    const layer = image.layers[0];
    const manifest = manifestWith(image, (layers) => {
      layers[0].size = layer.size - 5;
    });
    const { error, root } = await importFails('size-long', [manifest, image.config, ...image.layers], manifest);
    expect(error.message).toContain(`blob ${layer.digest}: blob size mismatch: expected ${layer.size - 5} bytes, got more`);
    expect(leftovers(root)).toEqual([]);
  });

  it('a blob shorter than its descriptor says is a size mismatch', async () => {
    const layer = image.layers[0];
    const manifest = manifestWith(image, (layers) => {
      layers[0].size = layer.size + 5;
    });
    const { error, root } = await importFails('size-short', [manifest, image.config, ...image.layers], manifest);
    expect(error.message).toContain(`blob ${layer.digest}: `);
    expect(error.message).toContain(`size mismatch: stream ended after ${layer.size} of ${layer.size + 5} bytes`);
    expect(leftovers(root)).toEqual([]);
  });

  it('a layer whose uncompressed digest is not the config diff_id fails (and no layer dir is kept)', async () => {
    const claimed = sha256(Buffer.from('some other tar'));
    const lying = makeImage([image.layers[0], { ...image.layers[1], diffId: claimed }]);
    const { error, root } = await importFails('diffid', imageBlobs(lying), lying.manifest);
    expect(error.message).toContain(`blob ${image.layers[1].digest}: layer diffId mismatch: config says ${claimed}, uncompressed content is ${image.layers[1].diffId}`);
    expect(leftovers(root)).toEqual([]);
  });

  it('a missing blob names it', async () => {
    const { error, root } = await importFails('missing', [image.manifest, image.config, image.layers[0]], image.manifest);
    expect(error.message).toContain(`blob ${image.layers[1].digest}: blob is missing from the layout`);
    expect(leftovers(root)).toEqual([]);
  });

  it('a config that does not hash to the manifest\'s digest fails before any layer is fetched', async () => {
    const badConfig = { ...image.config, bytes: Buffer.from(image.config.bytes.toString().replace('amd64', 'arm64')) };
    const { error, root } = await importFails('config', [image.manifest, badConfig, ...image.layers], image.manifest);
    expect(error.message).toContain(`blob ${image.config.digest}: image config digest mismatch: expected ${image.config.digest}`);
    expect(leftovers(root)).toEqual([]);
  });
});
