import type { Timespec } from '@tincan/libc';
import { LayerError } from './errors';
import { MAX_PAX_HEADER } from './limits';
import { BLOCK, checksumOk, cString, isZeroBlock, parseHeader, parsePax, TarFormatError, type PaxRecords, type RawHeader } from './tar-header';
import type { LayerLimits } from './types';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'unknown';

/** One archive member with PAX / GNU long-name overrides applied; `name` is still the raw name. */
export interface TarEntry {
  name: string;
  type: EntryType;
  typeflag: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: Timespec;
  atime: Timespec;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: Map<string, Buffer> | undefined;
}

/** Receives a regular file's data; close() follows the last byte. */
export interface EntryWriter {
  write(chunk: Uint8Array): void;
  close(): void;
}

/** Applies entries as they are parsed; returns a writer when it wants the entry's data. */
export interface EntryHandler {
  entry(e: TarEntry): EntryWriter | undefined;
}

const TYPES: Readonly<Record<string, EntryType>> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};

type State = 'header' | 'data' | 'meta' | 'pad' | 'eof';

/** Largest uid or gid: (uid_t)-1 means "unchanged" to chown(2), so ids stop one below it. */
const MAX_ID = 0xfffffffe;
/** makedev(3) takes 32-bit majors and minors. */
const MAX_DEVICE_NUMBER = 0xffffffff;

function checkId(id: number, field: 'uid' | 'gid'): number {
  if (id > MAX_ID) throw new TarFormatError(`${field} ${id} out of range (at most ${MAX_ID})`);
  return id;
}

/**
 * Streaming tar parser (ustar, PAX, GNU long names), push-driven and synchronous so file data goes
 * straight from the decompressor's chunk to write(2) without per-entry streams or promises.
 * Sizes are never trusted for allocation: only PAX headers (≤ 1 MiB) and long names (≤ the name
 * limit) are buffered, and a stream that ends inside an entry is an error.
 */
export class TarParser {
  private state: State = 'header';
  private readonly header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private remaining = 0;
  private pad = 0;
  private declared = 0;
  private writer: EntryWriter | undefined;
  private meta: { flag: string; buf: Buffer; fill: number } | undefined;
  private pax: PaxRecords | undefined;
  private longName: string | undefined;
  private longLink: string | undefined;
  private offset = 0;
  /** entries handed to the handler */
  entries = 0;
  /** raw name of the entry being parsed, for error messages */
  current = '';

  constructor(
    private readonly handler: EntryHandler,
    private readonly limits: Required<LayerLimits>,
    private readonly layer?: string,
  ) {}

  push(chunk: Uint8Array): void {
    try {
      this.consume(chunk);
    } catch (err) {
      if (err instanceof TarFormatError) throw new LayerError(this.current, err.message, this.layer);
      throw err;
    }
  }

  /** The stream ended: anything but a block boundary between entries is a truncated archive. */
  end(): void {
    if (this.state === 'data' || this.state === 'meta') {
      throw new LayerError(this.current, `unexpected end of archive: entry declares ${this.declared} bytes, ${this.declared - this.remaining} received`, this.layer);
    }
    if (this.state === 'pad') {
      throw new LayerError(this.current, `unexpected end of archive: the padding after the entry's ${this.declared} bytes stops short of its 512-byte block`, this.layer);
    }
    if (this.state === 'header' && this.headerFill > 0) throw new LayerError(this.current, 'unexpected end of archive inside a header', this.layer);
  }

  private consume(chunk: Uint8Array): void {
    let off = 0;
    const len = chunk.length;
    while (off < len) {
      switch (this.state) {
        case 'header':
          off = this.takeHeader(chunk, off);
          break;
        case 'data': {
          const n = Math.min(this.remaining, len - off);
          this.writer?.write(chunk.subarray(off, off + n));
          off += n;
          this.remaining -= n;
          if (this.remaining === 0) this.finishData();
          break;
        }
        case 'meta':
          off = this.takeMeta(chunk, off);
          break;
        case 'pad': {
          const n = Math.min(this.pad, len - off);
          off += n;
          this.pad -= n;
          if (this.pad === 0) this.state = 'header';
          break;
        }
        case 'eof':
          off = len; // bytes after the end-of-archive blocks only count towards the digest
          break;
      }
    }
    this.offset += len;
  }

  private takeHeader(chunk: Uint8Array, off: number): number {
    if (this.headerFill === 0 && chunk.length - off >= BLOCK) {
      this.onHeader(chunk, off);
      return off + BLOCK;
    }
    const n = Math.min(BLOCK - this.headerFill, chunk.length - off);
    this.header.set(chunk.subarray(off, off + n), this.headerFill);
    this.headerFill += n;
    if (this.headerFill === BLOCK) {
      this.headerFill = 0;
      this.onHeader(this.header, 0);
    }
    return off + n;
  }

  private onHeader(b: Uint8Array, off: number): void {
    if (isZeroBlock(b, off)) {
      this.state = 'eof';
      return;
    }
    if (!checksumOk(b, off)) throw new TarFormatError(`invalid tar header checksum at offset ${this.offset + off}`);
    const h = parseHeader(b, off);
    this.current = h.name;
    if (h.typeflag === 'x' || h.typeflag === 'L' || h.typeflag === 'K') return this.startMeta(h);
    if (h.typeflag === 'g') return this.startData(h.size, undefined); // global PAX headers are ignored, as by Go's archive/tar
    const e = this.buildEntry(h);
    if (++this.entries > this.limits.maxEntries) throw new TarFormatError(`too many entries: the limit is ${this.limits.maxEntries}`);
    const size = e.type === 'file' || e.type === 'unknown' ? e.size : 0; // other types carry no data (POSIX, Go)
    this.checkDeclared(size);
    this.startData(size, this.handler.entry(e));
  }

  /** A declared size past maxBytes fails now, before any data is written or awaited. */
  private checkDeclared(size: number): void {
    if (this.offset + size > this.limits.maxBytes) {
      throw new TarFormatError(`entry declares ${size} bytes: the layer would exceed the limit of ${this.limits.maxBytes} bytes`);
    }
  }

  private startData(size: number, writer: EntryWriter | undefined): void {
    this.declared = size;
    this.writer = writer;
    if (size === 0) return this.finishData();
    this.remaining = size;
    this.state = 'data';
  }

  private finishData(): void {
    const w = this.writer;
    this.writer = undefined;
    this.pad = (BLOCK - (this.declared % BLOCK)) % BLOCK;
    this.state = this.pad === 0 ? 'header' : 'pad';
    w?.close();
  }

  private startMeta(h: RawHeader): void {
    const max = h.typeflag === 'x' ? MAX_PAX_HEADER : this.limits.maxNameLength + 1;
    if (h.size > max) {
      throw new TarFormatError(h.typeflag === 'x' ? `PAX header of ${h.size} bytes exceeds ${max}` : `name longer than ${this.limits.maxNameLength} bytes`);
    }
    this.declared = h.size;
    this.remaining = h.size;
    this.meta = { flag: h.typeflag, buf: Buffer.alloc(h.size), fill: 0 };
    if (h.size === 0) this.finishMeta();
    else this.state = 'meta';
  }

  private takeMeta(chunk: Uint8Array, off: number): number {
    const m = this.meta!;
    const n = Math.min(m.buf.length - m.fill, chunk.length - off);
    m.buf.set(chunk.subarray(off, off + n), m.fill);
    m.fill += n;
    this.remaining -= n;
    if (m.fill === m.buf.length) this.finishMeta();
    return off + n;
  }

  private finishMeta(): void {
    const m = this.meta!;
    this.meta = undefined;
    if (m.flag === 'x') this.pax = parsePax(m.buf, this.pax ?? {});
    else if (m.flag === 'L') this.longName = cString(m.buf, 0, m.buf.length);
    else this.longLink = cString(m.buf, 0, m.buf.length);
    this.pad = (BLOCK - (m.buf.length % BLOCK)) % BLOCK;
    this.state = this.pad === 0 ? 'header' : 'pad';
  }

  private buildEntry(h: RawHeader): TarEntry {
    const pax = this.pax;
    const name = pax?.path ?? this.longName ?? h.name;
    const linkname = pax?.linkpath ?? this.longLink ?? h.linkname;
    this.pax = this.longName = this.longLink = undefined;
    this.current = name;
    if (pax?.invalid !== undefined) throw new TarFormatError(pax.invalid);
    if (h.typeflag === 'S' || pax?.sparse) throw new TarFormatError('GNU sparse files are not supported');
    let type: EntryType = TYPES[h.typeflag] ?? 'unknown';
    if (type === 'file' && h.typeflag !== '7' && name.endsWith('/')) type = 'dir'; // pre-POSIX tars mark directories by a trailing slash
    const mtime = pax?.mtime ?? { sec: h.mtime, nsec: 0 };
    const uid = checkId(pax?.uid ?? h.uid, 'uid');
    const gid = checkId(pax?.gid ?? h.gid, 'gid');
    if (h.devmajor > MAX_DEVICE_NUMBER || h.devminor > MAX_DEVICE_NUMBER) {
      throw new TarFormatError(`device ${h.devmajor}:${h.devminor} out of range (at most ${MAX_DEVICE_NUMBER} each)`);
    }
    return {
      name,
      type,
      typeflag: h.typeflag,
      size: pax?.size ?? h.size,
      mode: h.mode & 0o7777,
      uid,
      gid,
      mtime,
      atime: pax?.atime ?? mtime,
      linkname,
      devmajor: h.devmajor,
      devminor: h.devminor,
      xattrs: pax?.xattrs,
    };
  }
}
