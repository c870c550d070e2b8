/**
 * Builds tar layers byte by byte for the layer tests: ordinary entries as any tar writer would
 * emit them, and hostile ones (lying sizes, escaping names, over-long names) no writer would.
 */
export interface TestEntry {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'link' | 'char' | 'block' | 'fifo' | { flag: string };
  data?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** extra PAX records (e.g. SCHILY.xattr.security.capability, mtime with nanoseconds) */
  pax?: Record<string, string | Buffer>;
  /** how a name or link target over 100 bytes is carried (default 'pax') */
  longNames?: 'pax' | 'gnu';
  /** declared size when it must differ from the data actually written (tar bombs) */
  declaredSize?: number;
}

const FLAGS = { file: '0', link: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' } as const;

export function tar(entries: TestEntry[], opts: { endBlocks?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) parts.push(...entryBlocks(e));
  if (opts.endBlocks !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function entryBlocks(e: TestEntry): Buffer[] {
  const type = e.type ?? 'file';
  const flag = typeof type === 'object' ? type.flag : FLAGS[type];
  const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
  const linkname = e.linkname ?? '';
  const out: Buffer[] = [];
  const pax: Record<string, string | Buffer> = { ...e.pax };
  let name = e.name;
  let link = linkname;
  if (Buffer.byteLength(name) > 100 || Buffer.byteLength(linkname) > 100) {
    if (e.longNames === 'gnu') {
      if (Buffer.byteLength(name) > 100) out.push(...gnuLong('L', name));
      if (Buffer.byteLength(linkname) > 100) out.push(...gnuLong('K', linkname));
    } else {
      if (Buffer.byteLength(name) > 100) pax.path = name;
      if (Buffer.byteLength(linkname) > 100) pax.linkpath = linkname;
    }
    name = name.slice(0, 99);
    link = link.slice(0, 99);
  }
  if (Object.keys(pax).length > 0) out.push(...paxBlocks(pax));
  out.push(header({
    name, flag, size: e.declaredSize ?? data.length, mode: e.mode ?? (type === 'dir' ? 0o755 : 0o644),
    uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: e.mtime ?? 1_700_000_000, linkname: link,
    devmajor: e.devmajor ?? 0, devminor: e.devminor ?? 0,
  }));
  if (data.length > 0) out.push(padded(data));
  return out;
}

interface HeaderFields {
  name: string;
  flag: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
}

/** One POSIX ustar header block with a correct checksum. */
export function header(h: HeaderFields): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, h.uid);
  octal(b, 116, 8, h.gid);
  if (h.size > 0o77777777777) base256(b, 124, 12, h.size);
  else octal(b, 124, 12, h.size);
  octal(b, 136, 12, h.mtime);
  b.write(h.flag, 156, 1, 'latin1');
  b.write(h.linkname, 157, 100, 'utf8');
  b.write('ustar\0', 257, 6, 'latin1');
  b.write('00', 263, 2, 'latin1');
  octal(b, 329, 8, h.devmajor);
  octal(b, 337, 8, h.devminor);
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const v of b) sum += v;
  b.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return b;
}

function paxBlocks(records: Record<string, string | Buffer>): Buffer[] {
  const body = Buffer.concat(Object.entries(records).map(([k, v]) => paxRecord(k, Buffer.from(v))));
  return [header({ name: 'PaxHeaders/x', flag: 'x', size: body.length, mode: 0o644, uid: 0, gid: 0, mtime: 0, linkname: '', devmajor: 0, devminor: 0 }), padded(body)];
}

/** "<len> key=value\n" where len counts itself. */
function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.byteLength(key) + value.length + 3;
  let len = rest + String(rest).length;
  if (String(len).length !== String(rest).length) len++;
  return Buffer.concat([Buffer.from(`${len} ${key}=`), value, Buffer.from('\n')]);
}

function gnuLong(flag: 'L' | 'K', value: string): Buffer[] {
  const body = Buffer.from(`${value}\0`);
  return [header({ name: '././@LongLink', flag, size: body.length, mode: 0, uid: 0, gid: 0, mtime: 0, linkname: '', devmajor: 0, devminor: 0 }), padded(body)];
}

function padded(data: Buffer): Buffer {
  const pad = (512 - (data.length % 512)) % 512;
  return pad === 0 ? data : Buffer.concat([data, Buffer.alloc(pad)]);
}

function octal(b: Buffer, off: number, len: number, v: number): void {
  b.write(v.toString(8).padStart(len - 1, '0') + '\0', off, len, 'latin1');
}

function base256(b: Buffer, off: number, len: number, v: number): void {
  let x = BigInt(v);
  for (let i = off + len - 1; i > off; i--) {
    b[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  b[off] = 0x80;
}

/** A v3 file capability (cap_net_bind_service=ep), as `setcap` writes it in security.capability. */
export function capNetBindService(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(0x02000000 | 0x1, 0); // VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE
  b.writeUInt32LE(1 << 10, 4); // permitted: CAP_NET_BIND_SERVICE
  return b;
}
