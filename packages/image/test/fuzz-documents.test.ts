/**
 * Fuzzing the readers of an image's JSON: an OCI layout (oci-layout, index.json, manifest, config) and a
 * docker archive's manifest.json, each valid document with random fields replaced (wrong types, huge or
 * control-character strings, deep nesting, odd numbers) or its text cut. Digests are recomputed after
 * each edit so the schemas, not the digests, are what is exercised. An image is either read or refused
 * with a one-line ImageError; no other error escapes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ImageError } from '../src';
import { StagedArchive } from '../src/sources/archive-stage';
import { DockerArchiveSource } from '../src/sources/docker-archive';
import { OciLayoutSource, directoryLayoutFiles } from '../src/sources/oci-layout';
import { type ImageSource, resolveImage } from '../src/sources/source';
import { type BuiltImage, busyboxImage, sha256 } from './helpers/busybox-image';
import { FUZZ_TIMEOUT_MS, fuzzParameters, isOneBoundedLine } from '@tincan/testkit';

type Doc = 'ociLayout' | 'index' | 'manifest' | 'config' | 'dockerManifest';

const work = mkdtempSync(join(tmpdir(), 'tincan-fuzz-documents-'));
const AMD64 = { os: 'linux', architecture: 'amd64' };
let image: BuiltImage;
beforeAll(async () => {
  image = await busyboxImage();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Values no field expects, or expects only in some shapes. */
const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, -1, 0, 1, 2 ** 53, 1e308, '', '\n', 'x'.repeat(3000), 'a\u001b[2Jb', '../../etc', 'sha256:', `sha256:${'0'.repeat(64)}\n`),
  fc.constantFrom([1, null, {}], ['PATH'], ['\u0000'], { '': 1 }, { 'x\ny': 'z' }, ['a'.repeat(70_000)]),
);

/** Where to put it: a key path into one of the documents (the last key may be new). */
const target = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom<[Doc, (string | number)[]]>(
    ['config', ['architecture']], ['config', ['os']], ['config', ['variant']], ['config', ['config']], ['config', ['config', 'User']],
    ['config', ['config', 'Env']], ['config', ['config', 'Cmd']], ['config', ['config', 'Entrypoint']], ['config', ['config', 'WorkingDir']],
    ['config', ['config', 'Labels']], ['config', ['config', 'ExposedPorts']], ['config', ['rootfs']], ['config', ['rootfs', 'diff_ids']],
    ['config', ['rootfs', 'diff_ids', 0]], ['config', ['created']], ['config', ['history']],
    ['manifest', ['schemaVersion']], ['manifest', ['mediaType']], ['manifest', ['config']], ['manifest', ['config', 'size']],
    ['manifest', ['config', 'digest']], ['manifest', ['config', 'mediaType']], ['manifest', ['layers']], ['manifest', ['layers', 0]],
    ['manifest', ['layers', 1, 'mediaType']], ['manifest', ['layers', 0, 'size']], ['manifest', ['annotations']],
    ['index', ['schemaVersion']], ['index', ['mediaType']], ['index', ['manifests']], ['index', ['manifests', 0, 'size']],
    ['index', ['manifests', 0, 'digest']], ['index', ['manifests', 0, 'mediaType']], ['index', ['manifests', 0, 'annotations']],
    ['index', ['manifests', 0, 'platform']], ['ociLayout', ['imageLayoutVersion']],
    ['dockerManifest', [0, 'Config']], ['dockerManifest', [0, 'Layers']], ['dockerManifest', [0, 'RepoTags']], ['dockerManifest', [0]],
  ) },
  { weight: 1, arbitrary: fc.constantFrom<Doc>('config', 'manifest', 'index', 'ociLayout', 'dockerManifest').map((d): [Doc, (string | number)[]] => [d, []]) },
);

/** Text-level damage to one document: cut it, or nest it 10 000 deep. */
const textDamage = fc.option(
  fc.record({ doc: fc.constantFrom<Doc>('config', 'manifest', 'index', 'ociLayout', 'dockerManifest'), kind: fc.constantFrom('cut', 'nest'), at: fc.nat() }),
  { nil: undefined, freq: 4 },
);

const edits = fc.record({ sets: fc.array(fc.tuple(target, oddValue, fc.boolean()), { minLength: 1, maxLength: 3 }), damage: textDamage });
type Edits = typeof edits extends fc.Arbitrary<infer T> ? T : never;

function setAt(root: unknown, keys: (string | number)[], value: unknown, remove: boolean): unknown {
  if (keys.length === 0) return value;
  let node = root as Record<string | number, unknown>;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(node)) return root;
    node = node[k] as Record<string | number, unknown>;
  }
  if (!isObject(node)) return root;
  if (remove) delete node[keys[keys.length - 1]];
  else node[keys[keys.length - 1]] = value;
  return root;
}

function isObject(v: unknown): v is Record<string | number, unknown> {
  return typeof v === 'object' && v !== null;
}

/** The documents with `e` applied, serialised in dependency order so each names the other's real digest. */
function documents(e: Edits): Record<Doc, string> {
  const docs: Record<Doc, unknown> = {
    config: JSON.parse(image.config.bytes.toString()),
    manifest: JSON.parse(image.manifest.bytes.toString()),
    index: { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{}] },
    ociLayout: { imageLayoutVersion: '1.0.0' },
    dockerManifest: [{ Config: 'config.json', RepoTags: ['test/x:1'], Layers: ['0.tar', '1.tar'] }],
  };
  const text = (doc: Doc): string => {
    for (const [[d, keys], value, remove] of e.sets) if (d === doc) docs[doc] = setAt(docs[doc], keys, value, remove);
    const t = JSON.stringify(docs[doc]) ?? 'null';
    if (e.damage?.doc !== doc) return t;
    return e.damage.kind === 'cut' ? t.slice(0, e.damage.at % (t.length + 1)) : `${'['.repeat(10_000)}${t}${']'.repeat(10_000)}`;
  };
  const config = text('config');
  setAt(docs.manifest, ['config'], { mediaType: image.config.mediaType, digest: sha256(Buffer.from(config)), size: Buffer.byteLength(config) }, false);
  const manifest = text('manifest');
  setAt(docs.index, ['manifests', 0], { mediaType: image.manifest.mediaType, digest: sha256(Buffer.from(manifest)), size: Buffer.byteLength(manifest) }, false);
  return { config, manifest, index: text('index'), ociLayout: text('ociLayout'), dockerManifest: text('dockerManifest') };
}

let seq = 0;
function layoutSource(docs: Record<Doc, string>): ImageSource {
  const dir = join(work, `layout-${seq++}`);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const bytes of [docs.config, docs.manifest, ...image.layers.map((l) => l.bytes)].map((b) => Buffer.from(b))) {
    writeFileSync(join(dir, 'blobs', 'sha256', sha256(bytes).slice(7)), bytes);
  }
  writeFileSync(join(dir, 'index.json'), docs.index);
  writeFileSync(join(dir, 'oci-layout'), docs.ociLayout);
  return new OciLayoutSource(`oci:${dir}`, directoryLayoutFiles(dir), {});
}

async function dockerArchiveSource(docs: Record<Doc, string>): Promise<ImageSource> {
  const dir = join(work, `archive-${seq++}`);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const staged = new StagedArchive(dir, `docker-archive:${dir}.tar`);
  const files: [string, Buffer | string][] = [['manifest.json', docs.dockerManifest], ['config.json', docs.config], ...image.layers.map((l, i): [string, Buffer] => [`${i}.tar`, l.bytes])];
  for (const [name, bytes] of files) staged.files.set(name, await staged.keep(Buffer.from(bytes)));
  return new DockerArchiveSource(staged, undefined);
}

describe('fuzzing the JSON of images', () => {
  it(
    'an OCI layout or a docker archive is read, or refused with a one-line ImageError',
    async () => {
      await fc.assert(
        fc.asyncProperty(edits, fc.boolean(), async (e, docker) => {
          const docs = documents(e);
          const source = docker ? await dockerArchiveSource(docs) : layoutSource(docs);
          try {
            await resolveImage(source, AMD64);
          } catch (err) {
            if (!(err instanceof ImageError)) throw err;
            expect(isOneBoundedLine(err.message)).toBe(true);
          } finally {
            await source.close();
          }
        }),
        fuzzParameters(200),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
