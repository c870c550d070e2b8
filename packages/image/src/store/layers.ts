import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Compression, type LayerResult, applyLayer } from '@tincan/layer';
import { quote } from '../text';
import { renameDirIntoPlace } from './fs-util';
import type { StorePaths } from './paths';

/** How to read one layer blob. */
export interface LayerSpec {
  input: Readable | string;
  mediaType?: string;
  compression?: Compression;
  /** digest or path naming the layer in errors and warnings */
  layer: string;
}

/** A layer unpacked (overlay mode) into `<dir>/diff` under a temporary directory, not yet in the cache. */
export interface UnpackedLayer {
  dir: string;
  result: LayerResult;
}

/** Unpack a layer as an overlayfs lower dir (whiteouts as 0:0 char devices) into a fresh dir under `tmpParent`. */
export async function unpackLayer(spec: LayerSpec, tmpParent: string, log: (line: string) => void): Promise<UnpackedLayer> {
  const dir = await mkdtemp(join(tmpParent, 'layer-'));
  // mkdtemp makes 0700; a mounter in a user namespace must still reach layers/<hex>/diff
  await chmod(dir, 0o755);
  const result = await applyLayer(spec.input, join(dir, 'diff'), {
    mode: 'overlay',
    mediaType: spec.mediaType,
    compression: spec.compression,
    layer: spec.layer,
    onWarning: (w) => log(`${spec.layer}: ${quote(w.entry)}: ${w.message}`),
  });
  await writeFile(join(dir, 'layer.json'), JSON.stringify({ diffId: result.diffId, bytes: result.bytes, entries: result.entries, from: spec.layer }));
  return { dir, result };
}

/** Move an unpacked layer into layers/<diffId hex> atomically; an existing copy (same diffId, same content) wins. */
export async function commitLayer(unpacked: UnpackedLayer, paths: StorePaths): Promise<void> {
  await renameDirIntoPlace(unpacked.dir, paths.layer(unpacked.result.diffId));
}
