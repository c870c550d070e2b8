import {
  IdMapError,
  MAX_ID_MAP_LINES,
  formatIdMap,
  idMapFromOci,
  parseIdMap,
  parseProcIdMap,
  toContainerId,
  toHostId,
  validateIdMap,
  type IdMapping,
} from '../src';

const m = (containerId: number, hostId: number, size: number): IdMapping => ({ containerId, hostId, size });

describe('parseIdMap', () => {
  it("parses 'containerId:hostId:size,…'", () => {
    expect(parseIdMap('0:100000:65536,65536:200000:10')).toEqual([m(0, 100000, 65536), m(65536, 200000, 10)]);
    expect(parseIdMap(' 0:1000:1 ')).toEqual([m(0, 1000, 1)]);
  });

  it.each([
    ['', 'id map entry "" is not containerId:hostId:size'],
    ['0:100000', 'id map entry "0:100000" is not containerId:hostId:size'],
    ['0:x:1', 'id map entry "0:x:1": hostId is not a number'],
    ['-1:0:1', 'id map entry "-1:0:1": containerId is not a number'],
    ['0:0:1,0:5:1', 'overlap in container ids'],
  ])('rejects %j', (text, message) => {
    expect(() => parseIdMap(text)).toThrow(IdMapError);
    expect(() => parseIdMap(text)).toThrow(message);
  });
});

describe('idMapFromOci', () => {
  it('converts linux.uidMappings', () => {
    const json = JSON.parse('[{"containerID":0,"hostID":100000,"size":65536}]') as unknown;
    expect(idMapFromOci(json)).toEqual([m(0, 100000, 65536)]);
  });

  it.each([
    [{}, 'id map is not an array: {}'],
    [[1], 'id map entry 0 is not an object'],
    [[{ containerID: 0, hostID: '1', size: 1 }], 'id map entry 0: hostID is not a number: "1"'],
    [[{ containerID: 0, hostID: 1 }], 'id map entry 0: size is not a number: undefined'],
  ])('rejects %j', (json, message) => {
    expect(() => idMapFromOci(json)).toThrow(message);
  });
});

describe('validateIdMap', () => {
  const LAST = 2 ** 32 - 2; // the highest valid id: (uid_t)-1 is reserved
  const lines = (n: number): IdMapping[] => Array.from({ length: n }, (_, i) => m(i, 1000 + i, 1));
  const table: [string, IdMapping[], string | null][] = [
    ['one range', [m(0, 100000, 65536)], null],
    ['identity of everything valid', [m(0, 0, LAST + 1)], null],
    ['last id exactly', [m(LAST, LAST, 1)], null],
    ['adjacent ranges', [m(0, 1000, 10), m(10, 1010, 10)], null],
    [`${MAX_ID_MAP_LINES} lines`, lines(MAX_ID_MAP_LINES), null],
    ['empty', [], 'id map is empty'],
    ['size 0', [m(0, 1000, 0)], 'id map entry 0:1000:0: size must be > 0'],
    ['negative', [m(-1, 1000, 1)], 'containerId must be a non-negative integer'],
    ['fraction', [m(0, 1000.5, 1)], 'hostId must be a non-negative integer'],
    ['container ids up to 2^32-1', [m(LAST, 0, 2)], 'container ids reach 2^32-1'],
    ['host ids up to 2^32-1', [m(0, 2 ** 32 - 1, 1)], 'host ids reach 2^32-1'],
    ['overlapping container ranges', [m(0, 1000, 10), m(9, 5000, 1)], 'id map entries 0:1000:10 and 9:5000:1 overlap in container ids'],
    ['overlapping host ranges', [m(100, 1000, 10), m(0, 1005, 10)], 'id map entries 100:1000:10 and 0:1005:10 overlap in host ids'],
    [`${MAX_ID_MAP_LINES + 1} lines`, lines(MAX_ID_MAP_LINES + 1), `id map has 341 entries; the kernel takes at most ${MAX_ID_MAP_LINES}`],
    ['340 long lines: more than a page', Array.from({ length: 340 }, (_, i) => m(4e9 + i, 3e9 + i, 1)), 'the kernel takes less than 4096'],
  ];
  it.each(table)('%s', (_title, map, error) => {
    if (error === null) expect(() => validateIdMap(map)).not.toThrow();
    else expect(() => validateIdMap(map)).toThrow(error);
  });
});

describe('formatIdMap', () => {
  it('gives the exact text for /proc/PID/uid_map', () => {
    expect(formatIdMap([m(0, 100000, 65536)])).toBe('0 100000 65536\n');
    expect(formatIdMap([m(0, 1000, 1), m(1, 100000, 65535)])).toBe('0 1000 1\n1 100000 65535\n');
  });
  it('refuses an invalid map', () => {
    expect(() => formatIdMap([])).toThrow(IdMapError);
  });
  it("round-trips through the kernel's column format", () => {
    const map = [m(0, 1000, 1), m(1, 100000, 65535)];
    expect(parseProcIdMap('         0       1000          1\n         1     100000      65535\n')).toEqual(map);
  });
});

describe('toHostId / toContainerId', () => {
  const map = [m(0, 1000, 1), m(1, 100000, 65535)];
  it.each([
    [0, 1000],
    [1, 100000],
    [65535, 165534],
    [65536, undefined],
  ])('container %d ↔ host %s', (container, host) => {
    expect(toHostId(map, container)).toBe(host);
    if (host !== undefined) expect(toContainerId(map, host)).toBe(container);
  });
  it('is undefined for an unmapped host id', () => {
    expect(toContainerId(map, 0)).toBeUndefined();
    expect(toContainerId(map, 99999)).toBeUndefined();
  });
});
