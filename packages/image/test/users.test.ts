import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer } from '../src';
import { resolveUser } from '../src/config/users';
import { makeTar, type TarFile } from './helpers/busybox-image';
import { scratchDir } from './helpers/scratch';

/** Lower dirs made by the layer engine in overlay mode (topmost first), as the store caches them. */
async function lowers(root: string, layers: TarFile[][]): Promise<string[]> {
  const dirs: string[] = [];
  for (const [i, files] of layers.entries()) {
    const dir = join(root, `layer${i}`);
    mkdirSync(dir, { recursive: true });
    await applyLayer(Readable.from([await makeTar(files)]), dir, { mode: 'overlay', mediaType: 'application/vnd.oci.image.layer.v1.tar' });
    dirs.unshift(dir);
  }
  return dirs;
}

describe('resolveUser over overlay lowers', () => {
  const tmp = scratchDir('users');
  afterAll(() => tmp.cleanup());
  const etc: TarFile = { name: 'etc/', type: 'directory' };
  const passwd = (text: string): TarFile => ({ name: 'etc/passwd', content: text });

  it('a whiteout of /etc/group in an upper layer hides the lower one', async () => {
    const dirs = await lowers(tmp.path('wh'), [
      [etc, passwd('u:x:5:5::/home/u:/bin/sh\n'), { name: 'etc/group', content: 'g:x:9:u\n' }],
      [etc, { name: 'etc/.wh.group', content: '' }],
    ]);
    expect(await resolveUser('u', dirs, 'img')).toEqual({ uid: 5, gid: 5, additionalGids: [], home: '/home/u' });
    await expect(resolveUser('u:g', dirs, 'img')).rejects.toThrow('image img, entry /etc/group: group "g" not found');
  });

  it('an opaque /etc hides every lower /etc file', async () => {
    const dirs = await lowers(tmp.path('opq'), [
      [etc, passwd('u:x:5:5::/:/bin/sh\n')],
      [etc, { name: 'etc/.wh..wh..opq', content: '' }, { name: 'etc/hostname', content: 'x\n' }],
    ]);
    await expect(resolveUser('u', dirs, 'img')).rejects.toThrow('user "u" not found in the image\'s /etc/passwd');
    expect(await resolveUser('5', dirs, 'img')).toEqual({ uid: 5, gid: 0, additionalGids: [] });
  });

  it('a whited-out /etc hides everything under it; a new /etc above it is not merged with the old', async () => {
    const dirs = await lowers(tmp.path('whdir'), [
      [etc, passwd('old:x:1:1::/:/bin/sh\n'), { name: 'etc/group', content: 'g:x:9:new\n' }],
      [{ name: '.wh.etc', content: '' }],
      [etc, passwd('new:x:2:2::/:/bin/sh\n')],
    ]);
    expect(await resolveUser('new', dirs, 'img')).toEqual({ uid: 2, gid: 2, additionalGids: [], home: '/' });
    await expect(resolveUser('old', dirs, 'img')).rejects.toThrow('user "old" not found');
  });

  it('a symlinked /etc in a lower layer is followed inside the image', async () => {
    const dirs = await lowers(tmp.path('link'), [
      [{ name: 'real/', type: 'directory' }, { name: 'real/passwd', content: 'l:x:3:4::/:/bin/sh\n' }, { name: 'etc', type: 'symlink', linkname: 'real' }],
      [{ name: 'unrelated', content: '' }],
    ]);
    expect(await resolveUser('l', dirs, 'img')).toMatchObject({ uid: 3, gid: 4 });
  });

  it('an upper layer regular file replaces a lower one', async () => {
    const dirs = await lowers(tmp.path('replace'), [[etc, passwd('a:x:1:1::/:/bin/sh\n')], [etc, passwd('a:x:7:7::/:/bin/sh\n')]]);
    expect(await resolveUser('a', dirs, 'img')).toMatchObject({ uid: 7, gid: 7 });
  });

  it('ignores comments and malformed lines like libc', async () => {
    const dir = tmp.path('plain');
    mkdirSync(join(dir, 'etc'), { recursive: true });
    writeFileSync(join(dir, 'etc/passwd'), '# comment\nbroken line\nx:x:notanumber:1\nok:x:9:9:gecos:/h:/bin/sh\n');
    expect(await resolveUser('ok', [dir], 'img')).toEqual({ uid: 9, gid: 9, additionalGids: [], home: '/h' });
  });
});
