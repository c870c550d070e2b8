import { closeSync, constants, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { SyscallError } from '@tincan/libc-core';
import { CgroupTimeoutError, CgroupWriteError } from './errors';

/** The positive errno of a failed Node fs call (libuv reports it negated). */
export function errnoOf(err: unknown): number {
  const e = err as NodeJS.ErrnoException;
  if (typeof e.errno === 'number') return Math.abs(e.errno);
  const byName = e.code === undefined ? undefined : (osConstants.errno as Record<string, number | undefined>)[e.code];
  return byName ?? 0;
}

/** Rethrow a Node fs error as libc's SyscallError (errno + syscall + path). */
export function toSyscallError(err: unknown, syscall: string, path: string, detail?: string): SyscallError {
  return new SyscallError(syscall, errnoOf(err), path, detail);
}

export function hasFile(dir: string, file: string): boolean {
  return existsSync(join(dir, file));
}

export function readText(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

/** Write `value` in one write(2): cgroupfs parses each write as a whole. */
export function writeValue(dir: string, file: string, value: string): void {
  const path = join(dir, file);
  let fd: number;
  try {
    // O_WRONLY without O_CREAT: cgroupfs files exist or the controller is not there; write-only files refuse O_RDWR
    fd = openSync(path, constants.O_WRONLY);
  } catch (err) {
    throw new CgroupWriteError(path, value, errnoOf(err));
  }
  try {
    writeSync(fd, value);
  } catch (err) {
    throw new CgroupWriteError(path, value, errnoOf(err));
  } finally {
    closeSync(fd);
  }
}

/** Parse a flat-keyed file ("key value" per line: cgroup.events, memory.events, cpu.stat). */
export function readKeyed(dir: string, file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readText(dir, file).split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) out.set(key, Number(value));
  }
  return out;
}

/** A single-number file (memory.current, pids.current); 'max' reads as Infinity. */
export function readNumber(dir: string, file: string): number {
  const text = readText(dir, file).trim();
  return text === 'max' ? Infinity : Number(text);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `done` with a growing interval (5 ms to 100 ms) until it holds or `timeoutMs` passes. */
export async function waitUntil(done: () => boolean, path: string, waitingFor: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; !done(); delay = Math.min(delay * 2, 100)) {
    if (Date.now() >= deadline) throw new CgroupTimeoutError(path, waitingFor, timeoutMs);
    await sleep(delay);
  }
}
