import type { Timespec } from '@tincan/libc';
import { quote } from '@tincan/libc-core';

/** Header fields of one ustar/GNU block (before PAX and GNU long-name overrides). */
export interface RawHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

/** Values of a PAX extended header that tincan honours. */
export interface PaxRecords {
  path?: string;
  linkpath?: string;
  size?: number;
  uid?: number;
  gid?: number;
  mtime?: Timespec;
  atime?: Timespec;
  xattrs?: Map<string, Buffer>;
  sparse?: boolean;
  /** the first record whose value was unusable: reported with the entry's name once its header is read */
  invalid?: string;
}

/** A malformed header; the parser turns it into a LayerError naming the entry. */
export class TarFormatError extends Error {
  override readonly name = 'TarFormatError';
}

export const BLOCK = 512;

export function isZeroBlock(b: Uint8Array, off: number): boolean {
  for (let i = off; i < off + BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** ustar checksum: bytes summed with the checksum field read as spaces (signed sums from old tars too). */
export function checksumOk(b: Uint8Array, off: number): boolean {
  const stored = parseNumeric(b, off + 148, 8, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : b[off + i]!;
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  return stored === unsigned || stored === signed;
}

/** Parse one header block at `off`; `b` must hold 512 bytes there. */
export function parseHeader(b: Uint8Array, off: number): RawHeader {
  const magic = cString(b, off + 257, 6);
  // POSIX ustar has a 155-byte name prefix; GNU tar reuses those bytes for atime/ctime
  const prefix = magic === 'ustar' ? cString(b, off + 345, 155) : '';
  const name = cString(b, off, 100);
  return {
    name: prefix === '' ? name : `${prefix}/${name}`,
    mode: parseNumeric(b, off + 100, 8, 'mode'),
    uid: parseNumeric(b, off + 108, 8, 'uid'),
    gid: parseNumeric(b, off + 116, 8, 'gid'),
    size: parseNumeric(b, off + 124, 12, 'size'),
    mtime: parseNumeric(b, off + 136, 12, 'mtime'),
    typeflag: String.fromCharCode(b[off + 156]!),
    linkname: cString(b, off + 157, 100),
    devmajor: parseNumeric(b, off + 329, 8, 'devmajor'),
    devminor: parseNumeric(b, off + 337, 8, 'devminor'),
  };
}

/** NUL-terminated UTF-8 field. */
export function cString(b: Uint8Array, off: number, len: number): string {
  let end = off;
  const max = off + len;
  while (end < max && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + off, end - off).toString('utf8');
}

/** Octal ASCII (space/NUL padded) or GNU base-256 (high bit set) numeric field. */
export function parseNumeric(b: Uint8Array, off: number, len: number, field: string): number {
  const first = b[off]!;
  if (first & 0x80) return parseBase256(b, off, len, field);
  let i = off;
  const end = off + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let v = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) throw new TarFormatError(`invalid octal ${field} field`);
    v = v * 8 + (c - 0x30);
  }
  return v;
}

function parseBase256(b: Uint8Array, off: number, len: number, field: string): number {
  if (b[off] === 0xff) {
    // two's complement, as GNU tar writes pre-1970 mtimes; nothing else may be negative
    if (field !== 'mtime') throw new TarFormatError(`negative ${field} field`);
    let v = 0n;
    for (let i = off; i < off + len; i++) v = (v << 8n) | BigInt(b[i]!);
    return Math.max(Number(v - (1n << BigInt(8 * len))), Number.MIN_SAFE_INTEGER);
  }
  let v = b[off]! & 0x7f;
  for (let i = off + 1; i < off + len; i++) {
    v = v * 256 + b[i]!;
    if (v > Number.MAX_SAFE_INTEGER) throw new TarFormatError(`${field} field out of range`);
  }
  return v;
}

/** Parse the records of a PAX extended header ("<len> <key>=<value>\n"); a record of bad framing throws, a bad value is noted in `invalid`. */
export function parsePax(b: Buffer, into: PaxRecords): PaxRecords {
  let pos = 0;
  while (pos < b.length) {
    if (b[pos] === 0) break; // trailing NUL padding written by some tools
    const sp = b.indexOf(0x20, pos);
    const len = sp < 0 ? NaN : Number(b.toString('latin1', pos, sp));
    if (!Number.isSafeInteger(len) || len <= sp - pos + 1 || pos + len > b.length || b[pos + len - 1] !== 0x0a) {
      throw new TarFormatError('invalid PAX record');
    }
    const eq = b.indexOf(0x3d, sp + 1);
    if (eq < 0 || eq >= pos + len - 1) throw new TarFormatError('invalid PAX record');
    try {
      applyPaxRecord(into, b.toString('utf8', sp + 1, eq), b.subarray(eq + 1, pos + len - 1));
    } catch (err) {
      if (!(err instanceof TarFormatError)) throw err;
      into.invalid ??= err.message;
    }
    pos += len;
  }
  return into;
}

function applyPaxRecord(into: PaxRecords, key: string, value: Buffer): void {
  switch (key) {
    case 'path': into.path = value.toString('utf8'); return;
    case 'linkpath': into.linkpath = value.toString('utf8'); return;
    case 'size': into.size = paxInteger(value, key); return;
    case 'uid': into.uid = paxInteger(value, key); return;
    case 'gid': into.gid = paxInteger(value, key); return;
    case 'mtime': into.mtime = paxTime(value, key); return;
    case 'atime': into.atime = paxTime(value, key); return;
  }
  if (key.startsWith('SCHILY.xattr.')) setXattr(into, key.slice('SCHILY.xattr.'.length), Buffer.from(value));
  else if (key.startsWith('LIBARCHIVE.xattr.')) setXattr(into, libarchiveXattrName(key), Buffer.from(value.toString('latin1'), 'base64'));
  else if (key.startsWith('GNU.sparse.')) into.sparse = true;
}

/** libarchive percent-encodes the xattr name in the key (RFC 3986). */
function libarchiveXattrName(key: string): string {
  try {
    return decodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length));
  } catch {
    throw new TarFormatError(`invalid PAX record ${quote(key)}: the xattr name is not percent-encoded`);
  }
}

function setXattr(into: PaxRecords, name: string, value: Buffer): void {
  into.xattrs ??= new Map();
  into.xattrs.set(name, value);
}

function paxInteger(value: Buffer, key: string): number {
  const s = value.toString('latin1');
  const n = Number(s);
  if (!/^[0-9]+$/.test(s) || !Number.isSafeInteger(n)) throw new TarFormatError(`invalid PAX ${key} ${quote(s)}`);
  return n;
}

/** "<seconds>[.<fraction>]", possibly negative, to a timespec. */
function paxTime(value: Buffer, key: string): Timespec {
  const s = value.toString('latin1');
  const m = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(s);
  const sec = Number(m?.[2]);
  if (!m || !Number.isSafeInteger(sec)) throw new TarFormatError(`invalid PAX ${key} ${quote(s)}`);
  const nsec = Number(((m[3] ?? '') + '000000000').slice(0, 9));
  if (m[1] === '-') return nsec === 0 ? { sec: -sec, nsec: 0 } : { sec: -sec - 1, nsec: 1e9 - nsec };
  return { sec, nsec };
}
