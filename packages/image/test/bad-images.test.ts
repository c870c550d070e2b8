/**
 * Images whose JSON is wrong in one place: each is refused at import by its schema (or the platform
 * check) with a one-line message naming the document and the field, and nothing is stored. Digests are
 * recomputed after every edit, so what fails is the check under test, never a digest.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImageError, ImageStore, type Platform } from '../src';
import { MAX_ARCHIVE_ENTRIES } from '../src/sources/archive-stage';
import { header } from '../../layer/test/fixtures/tar-builder';
import { type Blob, type BuiltImage, busyboxImage, makeTar, sha256 } from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';

type Json = Record<string, unknown>;

/** Edits of the documents: an object edit, or a function from the JSON text to other text. */
interface Edits {
  config?: (c: Json) => void;
  manifest?: (m: Json) => void;
  index?: (i: Json) => void;
  indexText?: (text: string) => string;
  manifestText?: (text: string) => string;
  configText?: (text: string) => string;
  ociLayout?: string;
}

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const tmp = scratchDir('bad-images');
let image: BuiltImage;
let seq = 0;
beforeAll(async () => {
  image = await busyboxImage();
});
afterAll(() => tmp.cleanup());

function blob(dir: string, mediaType: string, text: string): Blob {
  const bytes = Buffer.from(text);
  const b = { mediaType, bytes, digest: sha256(bytes), size: bytes.length };
  writeFileSync(join(dir, 'blobs', 'sha256', b.digest.slice(7)), bytes);
  return b;
}

/** An OCI layout of the busybox image with `edits` applied, its only manifest tagged "t". */
function layoutWith(edits: Edits): string {
  const dir = tmp.path(`layout-${seq++}`);
  execFileSync('mkdir', ['-p', join(dir, 'blobs', 'sha256')]);
  for (const l of image.layers) writeFileSync(join(dir, 'blobs', 'sha256', l.digest.slice(7)), l.bytes);
  const config = JSON.parse(image.config.bytes.toString()) as Json;
  edits.config?.(config);
  const configBlob = blob(dir, image.config.mediaType, (edits.configText ?? String)(JSON.stringify(config)));
  const manifest = JSON.parse(image.manifest.bytes.toString()) as Json;
  manifest.config = { mediaType: configBlob.mediaType, digest: configBlob.digest, size: configBlob.size };
  edits.manifest?.(manifest);
  const manifestBlob = blob(dir, image.manifest.mediaType, (edits.manifestText ?? String)(JSON.stringify(manifest)));
  const index: Json = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: manifestBlob.mediaType, digest: manifestBlob.digest, size: manifestBlob.size, annotations: { 'org.opencontainers.image.ref.name': 't' } }],
  };
  edits.index?.(index);
  writeFileSync(join(dir, 'index.json'), (edits.indexText ?? String)(JSON.stringify(index)));
  writeFileSync(join(dir, 'oci-layout'), edits.ociLayout ?? JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return dir;
}

/** What a failed import may not leave: blobs, layers, staging files, image records. */
function stored(root: string): string[] {
  const listed = ['blobs/sha256', 'layers', 'tmp'].flatMap((d) => (existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => `${d}/${n}`) : []));
  return existsSync(join(root, 'images.json')) ? [...listed, 'images.json'] : listed;
}

/** Import `source` into a new store; the ImageError's message, after checking it is one line and nothing was stored. */
async function refused(source: string): Promise<string> {
  const root = tmp.path(`store-${seq++}`);
  const error = await new ImageStore({ root, platform: AMD64 }).import(source).then(
    () => new Error('import succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageError);
  const message = (error as Error).message;
  expect(message).not.toMatch(/[\u0000-\u001f]/);
  expect(stored(root)).toEqual([]);
  return message;
}

const refusedEdit = async (edits: Edits): Promise<string> => refused(`oci:${layoutWith(edits)}:t`);

describe('the image config is checked against its schema before anything is stored', () => {
  it.each([
    ['a wrong-typed User', { User: 1 }, 'config.User must be string (found 1)'],
    ['a wrong-typed Env', { Env: 'PATH=/bin' }, 'config.Env must be array (found "PATH=/bin")'],
    ['an Env entry without "="', { Env: ['PATH'] }, 'config.Env[0] must match pattern'],
    ['Cmd: [1, null, {}]', { Cmd: [1, null, {}] }, 'config.Cmd[0] must be string (found 1)'],
    ['a relative WorkingDir', { WorkingDir: '../../../etc' }, 'config.WorkingDir must match pattern "^(?:/[^\\u0000]*)?$" (found "../../../etc")'],
    ['a NUL byte in Entrypoint', { Entrypoint: ['/bin/sh\u0000x'] }, 'config.Entrypoint[0] must match pattern'],
    ['an ExposedPorts key that is no port', { ExposedPorts: { 'http\n': {} } }, 'config.ExposedPorts may not have "http\\n"'],
  ])('%s', async (_what, fields, expected) => {
    const message = await refusedEdit({ config: (c) => Object.assign(c.config as Json, fields) });
    expect(message).toMatch(/^image oci:\/\S+:t, blob sha256:[0-9a-f]{64}: image config: /);
    expect(message).toContain(expected);
  });

  it.each([
    ['os windows', { os: 'windows' }, 'image is for windows/amd64, not linux/amd64'],
    ['architecture arm64', { architecture: 'arm64', variant: 'v8' }, 'image is for linux/arm64/v8, not linux/amd64'],
    ['architecture null', { architecture: null }, 'image config: architecture must be string (found null)'],
    ['architecture 64', { architecture: 64 }, 'image config: architecture must be string (found 64)'],
    ['no os', { os: undefined }, 'image config: the document has no "os"'],
  ])('an image for another platform: %s', async (_what, fields, expected) => {
    expect(await refusedEdit({ config: (c) => Object.assign(c, fields) })).toContain(expected);
  });

  it('docker\'s nulls for empty fields are accepted, as docker reads them', async () => {
    const dir = layoutWith({ config: (c) => Object.assign(c.config as Json, { Entrypoint: null, Env: null, Labels: null, Volumes: null, OnBuild: null }) });
    const store = new ImageStore({ root: tmp.path('store-nulls'), platform: AMD64 });
    await store.import(`oci:${dir}:t`, 'test/nulls:1');
    expect(await store.defaults('test/nulls:1')).toEqual({ cmd: ['echo hello'], workingDir: '/home/app', user: 'app', exposedPorts: ['8080/tcp'] });
  });
});

describe('descriptors, manifests and the layout', () => {
  it.each([0, 1])('a manifest descriptor of size %d', async (size) => {
    expect(await refusedEdit({ index: (i) => Object.assign((i.manifests as Json[])[0], { size }) })).toContain(`index.json: manifests[0].size must be >= 2 (found ${size})`);
  });

  it('an index of an unknown media type', async () => {
    expect(await refusedEdit({ index: (i) => Object.assign(i, { mediaType: 'application/vnd.example+json' }) })).toContain(
      'index.json: mediaType must be one of "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"',
    );
  });

  it('a config of an unknown media type', async () => {
    expect(await refusedEdit({ manifest: (m) => Object.assign(m.config as Json, { mediaType: 'text/plain' }) })).toContain(
      'manifest: config.mediaType must be one of "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json" (found "text/plain")',
    );
  });

  it('a layer of an unknown media type', async () => {
    expect(await refusedEdit({ manifest: (m) => Object.assign((m.layers as Json[])[1], { mediaType: 'application/zip' }) })).toContain(
      'manifest: layers[1].mediaType "application/zip" is no layer type tincan can unpack',
    );
  });

  it('a tag that points at something other than a manifest', async () => {
    expect(await refusedEdit({ index: (i) => Object.assign((i.manifests as Json[])[0], { mediaType: 'application/vnd.oci.image.layer.v1.tar' }) })).toMatch(
      /entry index\.json: descriptor has media type "application\/vnd\.oci\.image\.layer\.v1\.tar", which is no image manifest or index$/,
    );
  });

  it('a manifest whose own media type contradicts its descriptor', async () => {
    expect(await refusedEdit({ manifest: (m) => Object.assign(m, { mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }) })).toContain(
      'manifest says its media type is "application/vnd.docker.distribution.manifest.v2+json", but it was named as "application/vnd.oci.image.manifest.v1+json"',
    );
  });

  it('a ref.name annotation that is a number', async () => {
    const dir = layoutWith({ index: (i) => Object.assign((i.manifests as Json[])[0], { annotations: { 'org.opencontainers.image.ref.name': 5 } }) });
    expect(await refused(`oci:${dir}`)).toContain('index.json: manifests[0].annotations["org.opencontainers.image.ref.name"] must be string (found 5)');
  });

  it.each([
    ['null', 'oci-layout: the document must be object (found null)'],
    ['{"imageLayoutVersion": 2}', 'oci-layout: imageLayoutVersion must be string (found 2)'],
    ['{', 'oci-layout is not valid JSON'],
  ])('an oci-layout file of %s', async (ociLayout, expected) => {
    expect(await refusedEdit({ ociLayout })).toContain(expected);
  });

  it('a digest ending in a newline makes a one-line message', async () => {
    const message = await refusedEdit({ index: (i) => Object.assign((i.manifests as Json[])[0], { digest: `${image.manifest.digest}\n` }) });
    expect(message).toContain(`manifests[0].digest must match pattern`);
    expect(message).toContain(`${image.manifest.digest}\\n"`);
  });
});

describe('bounded messages and work', () => {
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

  it.each([
    ['index.json', { indexText: (t: string) => t.replace(/}$/, `,"x":${deep(100_000)}}`) }],
    ['manifest', { manifestText: (t: string) => t.replace(/}$/, `,"x":${deep(100_000)}}`) }],
    ['image config', { configText: (t: string) => t.replace(/}$/, `,"x":${deep(100_000)}}`) }],
  ])('JSON nested 100 000 deep in the %s is refused before it is walked', async (what, edits) => {
    expect(await refusedEdit(edits)).toContain(`${what}: JSON nested deeper than 64 levels`);
  });

  it('a 5 MB string comes back as at most 200 characters of it', async () => {
    const message = await refusedEdit({ config: (c) => Object.assign(c, { architecture: `${'x'.repeat(5_000_000)}\n` }) });
    expect(message).toContain(`(found "${'x'.repeat(200)}"…(5000001 chars))`);
    expect(message.length).toBeLessThan(600);
  });

  it('a docker archive whose manifest.json has a wrong-typed field', async () => {
    const archive = tmp.path('docker.tar');
    writeFileSync(archive, await makeTar([{ name: 'manifest.json', content: JSON.stringify([{ Config: 5, Layers: ['l.tar'] }]) }]));
    expect(await refused(`docker-archive:${archive}`)).toBe(`image docker-archive:${archive}, entry manifest.json: manifest.json: [0].Config must be string (found 5)`);
  });

  it('an archive of more entries than any image needs is refused once past the limit', async () => {
    const archive = tmp.path('many.tar');
    const entry = header({ name: 'index.json', flag: '0', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: 0, linkname: '', devmajor: 0, devminor: 0 });
    writeFileSync(archive, Buffer.concat([...Array.from({ length: MAX_ARCHIVE_ENTRIES + 1 }, () => entry), Buffer.alloc(1024)]));
    expect(await refused(`oci-archive:${archive}`)).toBe(`image oci-archive:${archive}, path ${archive}: archive has more than ${MAX_ARCHIVE_ENTRIES} entries`);
  });
});
