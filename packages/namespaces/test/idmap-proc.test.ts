import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { SyscallError } from '@tincan/libc-core';
import { IdMapError, namespaceId, parseProcIdMap, readIdMap, sameNamespace, validateIdMap, writeIdMaps, type IdMapping } from '../src';
import { startReady, type ReadyProcess } from '@tincan/testkit';

const map: IdMapping[] = [{ containerId: 0, hostId: 100000, size: 65536 }];
const inNamespace = (pid: number, ...cmd: string[]): string =>
  execFileSync('nsenter', ['-U', '-t', String(pid), ...cmd], { encoding: 'utf8' }).trim();

describe('writeIdMaps on a process in a new user namespace', () => {
  let child: ReadyProcess;
  beforeEach(async () => {
    child = await startReady(['unshare', '--user', '--fork', '--kill-child']);
  });
  afterEach(() => child.stop());

  it('writes setgroups, uid_map and gid_map; the kernel reads them back; uid 0 inside is host 100000', () => {
    expect(sameNamespace(child.pid, 'self', 'user')).toBe(false);
    expect(readIdMap(child.pid, 'uid')).toEqual([]);
    writeIdMaps(child.pid, { uidMap: map, gidMap: map, setgroups: 'deny' });
    expect(readFileSync(`/proc/${child.pid}/setgroups`, 'utf8')).toBe('deny\n');
    expect(readIdMap(child.pid, 'uid')).toEqual(map);
    expect(readIdMap(child.pid, 'gid')).toEqual(map);
    // nsenter -U becomes uid/gid 0 in the namespace, which is possible only through the map.
    expect(inNamespace(child.pid, 'id', '-u')).toBe('0');
    expect(inNamespace(child.pid, 'cat', '/proc/self/uid_map').split(/\s+/)).toEqual(['0', '100000', '65536']);
  });

  it("leaves setgroups 'allow' when asked", () => {
    writeIdMaps(child.pid, { uidMap: map, gidMap: map, setgroups: 'allow' });
    expect(readFileSync(`/proc/${child.pid}/setgroups`, 'utf8')).toBe('allow\n');
    expect(inNamespace(child.pid, 'id', '-G')).toBe('0');
  });

  it('writes a map of 340 lines, the most the kernel takes', () => {
    const lines = Array.from({ length: 340 }, (_, i) => ({ containerId: i, hostId: 1000 + i, size: 1 }));
    writeIdMaps(child.pid, { uidMap: lines, gidMap: map, setgroups: 'deny' });
    expect(readIdMap(child.pid, 'uid')).toEqual(lines);
  });

  it('(why validateIdMap counts bytes) the kernel refuses a map text of a page or more', () => {
    const long = Array.from({ length: 340 }, (_, i) => `${100000 + i} ${200000 + i} 1\n`).join('');
    expect(Buffer.byteLength(long)).toBeGreaterThanOrEqual(4096);
    expect(() => validateIdMap(parseProcIdMap(long))).toThrow(IdMapError);
    expect(() => writeFileSync(`/proc/${child.pid}/uid_map`, long)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('validates both maps before writing anything', () => {
    expect(() => writeIdMaps(child.pid, { uidMap: map, gidMap: [], setgroups: 'deny' })).toThrow(IdMapError);
    expect(readFileSync(`/proc/${child.pid}/setgroups`, 'utf8')).toBe('allow\n');
    expect(readIdMap(child.pid, 'uid')).toEqual([]);
  });

  it('throws a SyscallError naming the file: setgroups cannot change once gid_map is written', () => {
    writeIdMaps(child.pid, { uidMap: map, gidMap: map, setgroups: 'deny' });
    let err: unknown;
    try {
      writeIdMaps(child.pid, { uidMap: map, gidMap: map, setgroups: 'deny' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SyscallError);
    expect(err).toMatchObject({ syscall: 'write', code: 'EPERM', path: `/proc/${child.pid}/setgroups` });
  });
});

describe('writeIdMaps errors', () => {
  it("names uid_map when our own (initial) namespace's map is rewritten", () => {
    expect(() => writeIdMaps(process.pid, { uidMap: map, gidMap: map, setgroups: 'allow' })).toThrow(
      `write /proc/${process.pid}/uid_map: EPERM ("0 100000 65536\\n")`,
    );
  });

  it('names the file of a process that does not exist', () => {
    expect(() => writeIdMaps(0x3fffffff, { uidMap: map, gidMap: map, setgroups: 'deny' })).toThrow(
      `open /proc/${0x3fffffff}/setgroups: ENOENT`,
    );
  });

  it('readIdMap of ourselves is the identity map of the initial namespace', () => {
    expect(readIdMap('self', 'uid')).toEqual([{ containerId: 0, hostId: 0, size: 2 ** 32 - 1 }]);
    expect(namespaceId('self', 'user')).toBeGreaterThan(0);
  });
});
