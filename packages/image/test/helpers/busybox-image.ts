/**
 * Builds small real images for the tests: a busybox base layer plus a layer with a named user,
 * a whiteout and an opaque directory, written as an OCI image layout (JSON by hand).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tarStream from 'tar-stream';

export const BUSYBOX = ['/usr/bin/busybox-static', '/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p)) ?? '/bin/busybox';
export const APPLETS = ['sh', 'ls', 'cat', 'echo', 'id', 'env', 'pwd', 'true'];

export interface TarFile {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  content?: Buffer | string;
  mode?: number;
  uid?: number;
  gid?: number;
  linkname?: string;
}

export interface Blob {
  mediaType: string;
  digest: string;
  size: number;
  bytes: Buffer;
}

export interface BuiltLayer extends Blob {
  diffId: string;
}

export interface BuiltImage {
  manifest: Blob;
  config: Blob;
  layers: BuiltLayer[];
}

const MTIME = new Date('2024-01-01T00:00:00Z');

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** A tar of `files` in order (tar-stream pack, in memory). */
export async function makeTar(files: TarFile[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c) => chunks.push(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const f of files) {
    const type = f.type ?? 'file';
    const header = { name: f.name, type, mode: f.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: f.uid ?? 0, gid: f.gid ?? 0, mtime: MTIME, ...(f.linkname && { linkname: f.linkname }) };
    await new Promise<void>((resolve, reject) => {
      const body = type === 'file' ? Buffer.from(f.content ?? '') : undefined;
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body) pack.entry(header, body, cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export const BASE_PASSWD = 'root:x:0:0:root:/root:/bin/sh\n';
export const APP_PASSWD = `${BASE_PASSWD}app:x:1000:1000:app user:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n`;
export const APP_GROUP = 'root:x:0:\napp:x:1000:\nstaff:x:50:app,other\nwheel:x:10:root,app\nnogroup:x:65534:\n';

/** busybox with applet symlinks, /etc/passwd with only root, and files the next layer hides. */
export function baseLayerFiles(): TarFile[] {
  return [
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', content: readFileSync(BUSYBOX), mode: 0o755 },
    ...APPLETS.map((a): TarFile => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })),
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', content: BASE_PASSWD },
    { name: 'etc/group', content: 'root:x:0:\n' },
    { name: 'etc/motd', content: 'base motd\n' },
    { name: 'opt/', type: 'directory' },
    { name: 'opt/old.txt', content: 'hidden by the opaque dir above\n' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'root/', type: 'directory', mode: 0o700 },
  ];
}

/** A named user, a whiteout of /etc/motd, an opaque /opt, and an app home. */
export function appLayerFiles(): TarFile[] {
  return [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', content: APP_PASSWD },
    { name: 'etc/group', content: APP_GROUP },
    { name: 'etc/.wh.motd', content: '' },
    { name: 'opt/', type: 'directory' },
    { name: 'opt/.wh..wh..opq', content: '' },
    { name: 'opt/new.txt', content: 'new\n' },
    { name: 'home/', type: 'directory' },
    { name: 'home/app/', type: 'directory', uid: 1000, gid: 1000 },
    { name: 'home/app/hello.txt', content: 'hello from layer 2\n', uid: 1000, gid: 1000 },
  ];
}

export const IMAGE_CONFIG = {
  Entrypoint: ['/bin/sh', '-c'],
  Cmd: ['echo hello'],
  Env: ['PATH=/bin', 'GREETING=hi'],
  WorkingDir: '/home/app',
  User: 'app',
  Labels: { 'org.example.test': 'yes' },
  ExposedPorts: { '8080/tcp': {} },
};

function blob(mediaType: string, bytes: Buffer): Blob {
  return { mediaType, bytes, digest: sha256(bytes), size: bytes.length };
}

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** zstd through the zstd(1) CLI (Node has no zstd compressor). */
export function zstdCompress(data: Buffer): Buffer {
  return execFileSync('zstd', ['-q', '-c'], { input: data, maxBuffer: 256 * 1024 * 1024 });
}

const LAYER_TYPES: Record<LayerCompression, { mediaType: string; compress: (b: Buffer) => Buffer }> = {
  gzip: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', compress: (b) => gzipSync(b) },
  zstd: { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', compress: zstdCompress },
  none: { mediaType: 'application/vnd.oci.image.layer.v1.tar', compress: (b) => b },
};

export async function makeLayer(files: TarFile[], compression: LayerCompression = 'gzip'): Promise<BuiltLayer> {
  const tar = await makeTar(files);
  const { mediaType, compress } = LAYER_TYPES[compression];
  return { ...blob(mediaType, compress(tar)), diffId: sha256(tar) };
}

/** An OCI image (config + manifest) over the given layers. */
export function makeImage(layers: BuiltLayer[], opts: { architecture?: string; variant?: string; config?: object } = {}): BuiltImage {
  const config = blob(
    'application/vnd.oci.image.config.v1+json',
    Buffer.from(
      JSON.stringify({
        created: MTIME.toISOString(),
        architecture: opts.architecture ?? 'amd64',
        ...(opts.variant && { variant: opts.variant }),
        os: 'linux',
        config: opts.config ?? IMAGE_CONFIG,
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      }),
    ),
  );
  const manifest = blob(
    'application/vnd.oci.image.manifest.v1+json',
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
      }),
    ),
  );
  return { manifest, config, layers };
}

/** The two-layer busybox test image. */
export async function busyboxImage(compression: LayerCompression = 'gzip'): Promise<BuiltImage> {
  return makeImage([await makeLayer(baseLayerFiles(), compression), await makeLayer(appLayerFiles(), compression)]);
}

/** A manifest list with one image per architecture; each has an /ARCH file saying which. */
export async function multiArchIndex(): Promise<{ index: Blob; images: Record<string, BuiltImage> }> {
  const base = await makeLayer(baseLayerFiles());
  const images: Record<string, BuiltImage> = {};
  const manifests = [];
  for (const [architecture, variant] of [['amd64', undefined], ['arm64', 'v8']] as const) {
    const marker = await makeLayer([{ name: 'ARCH', content: `${architecture}\n` }]);
    const image = makeImage([base, marker], { architecture, variant });
    images[architecture] = image;
    manifests.push({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
      platform: { os: 'linux', architecture, ...(variant && { variant }) },
    });
  }
  const index = blob('application/vnd.oci.image.index.v1+json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests })));
  return { index, images };
}

/** Write blobs and an index.json tagging `tagged` (manifest or index blobs) into an OCI layout at `dir`. */
export function writeLayout(dir: string, blobs: Blob[], tagged: { blob: Blob; tag: string }[]): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const b of blobs) writeFileSync(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  const manifests = tagged.map(({ blob: b, tag }) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size, annotations: { 'org.opencontainers.image.ref.name': tag } }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
}

export function imageBlobs(image: BuiltImage): Blob[] {
  return [image.manifest, image.config, ...image.layers];
}

/** The busybox image as an OCI layout tagged `tag`. */
export async function writeBusyboxLayout(dir: string, tag = '1'): Promise<BuiltImage> {
  const image = await busyboxImage();
  writeLayout(dir, imageBlobs(image), [{ blob: image.manifest, tag }]);
  return image;
}
