import { bounded, quote } from '@tincan/libc-core';

export { bounded, oneLine, quote } from '@tincan/libc-core';

/** Any JSON value, bounded for a message (strings quoted; objects and arrays as JSON, cut). */
export function preview(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (value === undefined) return 'nothing';
  return bounded(JSON.stringify(value) ?? String(value));
}
