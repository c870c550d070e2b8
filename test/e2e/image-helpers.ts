/**
 * The e2e test image: the fixture rootfs as layer 1 (plus /deleted-file), and a layer 2 with
 * /app/hello.sh, a passwd/group entry for `app` (1000:1000) and a whiteout of /deleted-file,
 * written as an OCI image layout by hand (GNU tar for the layers, JSON for the rest).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ROOTFS_TAR } from './helpers';

export const IMAGE_TAG = '1';
export const HELLO = 'hello from /app/hello.sh';
export const IMAGE_CONFIG = {
  Env: ['GREETING=hi', 'PATH=/bin'],
  WorkingDir: '/app',
  User: 'app',
  Entrypoint: ['/bin/sh', '-c'],
  Cmd: ['echo $GREETING from $(pwd) as $(id -u):$(id -g); ls /deleted-file 2>&1'],
};

interface Blob {
  mediaType: string;
  digest: string;
  size: number;
}

export interface AppImage {
  /** the OCI layout directory, tagged IMAGE_TAG */
  layout: string;
  manifestDigest: string;
  /** diff ids, base layer first */
  diffIds: string[];
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function writeBlob(layout: string, mediaType: string, bytes: Buffer): Blob {
  const digest = sha256(bytes);
  writeFileSync(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
  return { mediaType, digest, size: bytes.length };
}

/** Layer 1: the pristine fixture tarball (make-rootfs.sh) with /deleted-file appended. */
function baseLayerTar(work: string): Buffer {
  const extra = join(work, 'layer1-extra');
  mkdirSync(extra, { recursive: true });
  writeFileSync(join(extra, 'deleted-file'), 'layer 2 deletes me\n');
  const tar = join(work, 'layer1.tar');
  writeFileSync(tar, gunzipSync(readFileSync(ROOTFS_TAR)));
  execFileSync('tar', ['-rf', tar, '--numeric-owner', '--owner=0', '--group=0', '-C', extra, './deleted-file']);
  return readFileSync(tar);
}

/** Layer 2: the app script, the app user and group, its home, and the whiteout. */
function appLayerTar(work: string): Buffer {
  const dir = join(work, 'layer2');
  for (const d of ['app', 'etc', 'home/app']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'app', 'hello.sh'), `#!/bin/sh\necho ${HELLO}\n`);
  chmodSync(join(dir, 'app', 'hello.sh'), 0o755);
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\napp:x:1000:\n');
  chownSync(join(dir, 'home', 'app'), 1000, 1000);
  // an OCI whiteout: an empty file named .wh.<name> hides <name> of the layers below
  writeFileSync(join(dir, '.wh.deleted-file'), '');
  const tar = join(work, 'layer2.tar');
  execFileSync('tar', ['-cf', tar, '--numeric-owner', '--sort=name', '-C', dir, 'app', 'etc', 'home', '.wh.deleted-file']);
  return readFileSync(tar);
}

/** Build the two-layer app image as an OCI layout under `work`/layout. */
export function buildAppImage(work: string): AppImage {
  const layout = join(work, 'layout');
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const tars = [baseLayerTar(work), appLayerTar(work)];
  const layers = tars.map((t) => writeBlob(layout, 'application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(t)));
  const diffIds = tars.map(sha256);
  const config = writeBlob(
    layout,
    'application/vnd.oci.image.config.v1+json',
    Buffer.from(JSON.stringify({ architecture: hostArchitecture(), os: 'linux', config: IMAGE_CONFIG, rootfs: { type: 'layers', diff_ids: diffIds } })),
  );
  const manifest = writeBlob(
    layout,
    'application/vnd.oci.image.manifest.v1+json',
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers })),
  );
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const tagged = { ...manifest, annotations: { 'org.opencontainers.image.ref.name': IMAGE_TAG } };
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [tagged] }));
  return { layout, manifestDigest: manifest.digest, diffIds };
}

/** OCI architecture names for the two hosts tincan supports. */
function hostArchitecture(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

/** skopeo, failing with its stderr. */
export function skopeo(args: string[]): string {
  try {
    return execFileSync('skopeo', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`skopeo ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`);
  }
}
