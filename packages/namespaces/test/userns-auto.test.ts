import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { IdMapError, autoIdMap, releaseAutoIdMap, type AutoIdMap, type AutoIdMapOptions, type IdMapping } from '../src';

describe('autoIdMap', () => {
  let dir: string;
  let base: AutoIdMapOptions;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'userns-auto-'));
    base = { stateDir: join(dir, 'state'), subuidFile: join(dir, 'subuid'), subgidFile: join(dir, 'subgid') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const hosts = (a: AutoIdMap): [number, number] => [a.uidMap[0]!.hostId, a.gidMap[0]!.hostId];
  const registry = (): unknown => JSON.parse(readFileSync(join(base.stateDir!, 'ranges.json'), 'utf8'));

  it('without /etc/subuid entries: consecutive ranges from 100000, recorded in the registry, reused after release', () => {
    const first = autoIdMap(base);
    const second = autoIdMap(base);
    const map: IdMapping[] = [{ containerId: 0, hostId: 100000, size: 65536 }];
    expect(first).toEqual({ uidMap: map, gidMap: map, stateDir: base.stateDir });
    expect(hosts(second)).toEqual([165536, 165536]);
    expect(registry()).toEqual([
      { uid: 100000, gid: 100000, size: 65536 },
      { uid: 165536, gid: 165536, size: 65536 },
    ]);
    releaseAutoIdMap(first);
    releaseAutoIdMap(first);
    expect(registry()).toEqual([{ uid: 165536, gid: 165536, size: 65536 }]);
    expect(hosts(autoIdMap(base))).toEqual([100000, 100000]);
  });

  it('takes exactly the size asked, first fit', () => {
    const small = autoIdMap({ ...base, size: 1000 });
    expect(hosts(autoIdMap(base))).toEqual([101000, 101000]);
    releaseAutoIdMap(small);
    expect(hosts(autoIdMap({ ...base, size: 1000 }))).toEqual([100000, 100000]);
    expect(hosts(autoIdMap({ ...base, size: 1 }))).toEqual([166536, 166536]);
  });

  it("uses the user's own /etc/subuid and /etc/subgid ranges, and says when they are full", () => {
    writeFileSync(base.subuidFile!, '# comment\nalice:100000:65536\ntincan:200000:65536\ntincan:400000:65536\n');
    writeFileSync(base.subgidFile!, 'tincan:300000:131072\n');
    expect(hosts(autoIdMap(base))).toEqual([200000, 300000]);
    expect(hosts(autoIdMap(base))).toEqual([400000, 365536]);
    expect(() => autoIdMap({ ...base, size: 1 })).toThrow(IdMapError);
    expect(() => autoIdMap({ ...base, size: 1 })).toThrow(`no 1 free uids for user "tincan" (registry ${base.stateDir}/ranges.json)`);
  });

  it('honours another user name', () => {
    writeFileSync(base.subuidFile!, 'builder:500000:65536\n');
    writeFileSync(base.subgidFile!, 'builder:500000:65536\n');
    expect(hosts(autoIdMap({ ...base, user: 'builder' }))).toEqual([500000, 500000]);
  });

  it('in the default range, keeps clear of ranges given to other users', () => {
    writeFileSync(base.subuidFile!, 'alice:100000:65536\nbob:170000:10\n');
    // uids skip alice's and bob's ranges; there is no /etc/subgid, so gids start at 100000.
    expect(hosts(autoIdMap(base))).toEqual([170010, 100000]);
  });

  it('refuses a bad size', () => {
    expect(() => autoIdMap({ ...base, size: 0 })).toThrow('auto id map size must be a positive integer: 0');
    expect(existsSync(join(base.stateDir!, 'ranges.json'))).toBe(false);
  });

  it('gives racing processes distinct ranges (8 node processes, built dist)', async () => {
    const worker = join(__dirname, 'auto-worker.cjs');
    if (!existsSync(join(__dirname, '..', 'dist', 'index.js'))) throw new Error('build first: pnpm --filter @tincan/namespaces build');
    const run = promisify(execFile);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => run(process.execPath, [worker, base.stateDir!, base.subuidFile!, base.subgidFile!])),
    );
    const starts = results.map((r) => (JSON.parse(r.stdout) as AutoIdMap).uidMap[0]!.hostId).sort((a, b) => a - b);
    expect(starts).toEqual(Array.from({ length: 8 }, (_, i) => 100000 + i * 65536));
    expect(registry()).toHaveLength(8);
  });
});
