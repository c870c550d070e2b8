import { ImageError, type ImageErrorContext } from '../errors';
import { preview, quote } from '../text';
import * as generated from './validators.generated';

/** The documents an image is read from, each checked against its schema (see schema/README.md). */
export type SchemaName = 'index' | 'manifest' | 'config' | 'layout' | 'dockerArchiveManifest';

/** What ajv reports about the first violation (allErrors is off: it stops there). */
interface SchemaViolation {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

type Validator = ((data: unknown) => boolean) & { errors?: SchemaViolation[] | null };

const validators = generated as unknown as Record<SchemaName, Validator>;

/**
 * `doc` as a `T` once it passes schema `name`; otherwise an ImageError naming `what`, the JSON path of
 * the first violation and the value found there (bounded).
 */
export function validateDocument<T>(name: SchemaName, doc: unknown, what: string, context: ImageErrorContext): T {
  const validate = validators[name];
  if (validate(doc)) return doc as T;
  const violation = validate.errors?.[0];
  if (!violation) throw new ImageError(`${what} does not match its schema`, context);
  throw new ImageError(`${what}: ${describeViolation(doc, violation)}`, context);
}

function describeViolation(doc: unknown, v: SchemaViolation): string {
  const segments = pointerSegments(v.instancePath);
  const where = jsonPath(segments);
  if (v.keyword === 'required') return `${where} has no ${quote(String(v.params.missingProperty))}`;
  if (v.keyword === 'additionalProperties') return `${where} may not have ${quote(String(v.params.additionalProperty))}`;
  const found = `(found ${preview(valueAt(doc, segments))})`;
  if (v.keyword === 'enum') {
    const allowed = (v.params.allowedValues as unknown[]).map((a) => preview(a)).join(', ');
    return `${where} must be one of ${allowed} ${found}`;
  }
  return `${where} ${v.message ?? `fails ${v.keyword}`} ${found}`;
}

/** `/config/Cmd/0` → ['config', 'Cmd', '0'] (RFC 6901 escapes undone). */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** ['config', 'Cmd', '0'] → `config.Cmd[0]`; keys that are not identifiers in brackets, quoted and bounded. */
function jsonPath(segments: string[]): string {
  if (segments.length === 0) return 'the document';
  return segments
    .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : /^[A-Za-z_$][\w$]*$/.test(s) ? `${i === 0 ? '' : '.'}${s}` : `[${quote(s)}]`))
    .join('');
}

function valueAt(doc: unknown, segments: string[]): unknown {
  let v = doc;
  for (const s of segments) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}
