/**
 * Fuzzing the tar parser and the applier: random layers (escaping names, symlinks and hard links into
 * and out of dest, whiteouts, odd PAX records, lying sizes), some truncated or with bytes flipped,
 * applied in both modes under small limits. Whatever happens, nothing outside dest changes and the only
 * error is a LayerError on one bounded line.
 */
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { applyLayer, LayerError, type ApplyMode } from '../src';
import { FUZZ_TIMEOUT_MS, fuzzParameters, isOneBoundedLine } from '@tincan/testkit';
import { snapshot } from './fixtures/fs-snapshot';
import { tar, type TestEntry } from './fixtures/tar-builder';

const work = mkdtempSync(join(tmpdir(), 'tincan-fuzz-layer-'));
const outside = join(work, 'outside');
const cases = join(work, 'cases');
beforeAll(() => {
  mkdirSync(join(outside, 'dir'), { recursive: true });
  writeFileSync(join(outside, 'secret'), 'top secret\n');
  mkdirSync(cases);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Path components worth combining: ordinary, dot-dot, whiteouts, long, and ones with control characters. */
const component = fc.constantFrom('a', 'b', 'dir', '..', '.', '', '.wh.a', '.wh..wh..opq', '.wh..wh.plnk', 'x'.repeat(120), 'tab\tnl\n', '\u001b[31m');
const path = fc
  .tuple(fc.boolean(), fc.array(component, { minLength: 1, maxLength: 5 }))
  .map(([absolute, parts]) => `${absolute ? '/' : ''}${parts.join('/')}`);
const linkTarget = fc.oneof(path, fc.constantFrom('../../outside', '../../outside/secret', '/', '/etc/passwd', `${outside}/dir`, '.'));

const paxRecord = fc.oneof(
  fc.record({ uid: fc.constantFrom('4294967296', '4294967294', '-1', '1e3', '') }),
  fc.record({ mtime: fc.constantFrom('1.5', '-1.25', '9'.repeat(30), 'abc', '') }),
  fc.record({ 'LIBARCHIVE.xattr.user.%zz': fc.constant('eA==') }),
  fc.record({ 'SCHILY.xattr.user.test': fc.constant('v') }),
  fc.record({ 'SCHILY.xattr.trusted.overlay.opaque': fc.constant('y') }),
  fc.record({ path }),
  fc.record({ linkpath: linkTarget }),
  fc.record({ size: fc.constantFrom('0', '5', '99999999999') }),
);

const entry: fc.Arbitrary<TestEntry> = fc.record(
  {
    name: path,
    type: fc.constantFrom<TestEntry['type']>('file', 'file', 'dir', 'symlink', 'link', 'fifo', 'char', { flag: 'Z' }, { flag: 'S' }),
    data: fc.constantFrom('', 'hello\n', 'x'.repeat(700)),
    mode: fc.integer({ min: 0, max: 0o7777 }),
    uid: fc.constantFrom(0, 1000, 65534),
    linkname: linkTarget,
    pax: paxRecord,
    declaredSize: fc.integer({ min: 0, max: 2048 }),
  },
  { requiredKeys: ['name', 'type'] },
);

/** A layer's bytes: well-formed, truncated, or with a few bytes overwritten. */
const layerBytes = fc
  .tuple(
    fc.array(entry, { maxLength: 12 }),
    fc.oneof(
      fc.constant<{ kind: 'intact' }>({ kind: 'intact' }),
      fc.record({ kind: fc.constant<'truncate'>('truncate'), at: fc.nat() }),
      fc.record({ kind: fc.constant<'flip'>('flip'), at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), byte: fc.integer({ min: 0, max: 255 }) }),
    ),
  )
  .map(([entries, damage]) => {
    const bytes = tar(entries);
    if (damage.kind === 'truncate') return bytes.subarray(0, damage.at % (bytes.length + 1));
    if (damage.kind === 'flip') for (const at of damage.at) bytes[at % bytes.length] = damage.byte;
    return bytes;
  });

function hostState(): { outside: Map<string, string>; work: string[]; passwd: string } {
  const p = lstatSync('/etc/passwd', { bigint: true });
  return { outside: snapshot(outside), work: readdirSync(work).sort(), passwd: `${p.ino} ${p.mtimeNs} ${readFileSync('/etc/passwd', 'utf8').length}` };
}

let seq = 0;
describe('fuzzing layers', () => {
  it(
    'nothing outside dest changes, and the only error is a one-line LayerError',
    async () => {
      const before = hostState();
      await fc.assert(
        fc.asyncProperty(fc.array(layerBytes, { minLength: 1, maxLength: 2 }), fc.constantFrom<ApplyMode>('extract', 'overlay'), async (layers, mode) => {
          const dir = join(cases, String(seq++));
          const dest = join(dir, 'dest');
          mkdirSync(dest, { recursive: true });
          try {
            for (const bytes of layers) {
              await applyLayer(Readable.from([bytes]), dest, { mode, limits: { maxEntries: 40, maxDepth: 12, maxBytes: 1 << 20 }, layer: 'fuzz.tar' });
            }
          } catch (e) {
            expect(e).toBeInstanceOf(LayerError);
            expect(isOneBoundedLine((e as Error).message)).toBe(true);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
          expect(hostState()).toEqual(before);
        }),
        fuzzParameters(150),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
