import { applyLayer, LayerError } from '../src';

/** Unpack one image layer (.tar, .tar.gz or .tar.zst, sniffed) on top of a root filesystem directory. */
export async function unpackLayer(layerFile: string, rootfs: string): Promise<string> {
  try {
    const result = await applyLayer(layerFile, rootfs, {
      mode: 'extract', // whiteouts delete; 'overlay' would keep them as an overlayfs lower dir
      onWarning: (w) => console.warn(`${w.entry}: ${w.message}`),
    });
    return result.diffId; // sha256 of the uncompressed tar: check it against the image config's rootfs.diff_ids
  } catch (e) {
    // an entry "../../etc/passwd" or a write through a planted symlink never leaves rootfs
    if (e instanceof LayerError) return `refused: ${e.message}`;
    throw e;
  }
}
