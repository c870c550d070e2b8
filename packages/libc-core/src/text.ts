/** Most characters of an input value that a message quotes: a 5 MB string must not become a 5 MB error. */
const QUOTE_LIMIT = 200;
/** A whole message is cut here, however many values it quotes. */
const MESSAGE_LIMIT = 2000;

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Control characters as escapes (`\n`, `\u001b`): a value can neither break a message into lines nor drive a terminal. */
function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `text` for a message: control characters escaped, at most `limit` characters of it, then how long it was. */
export function bounded(text: string, limit = QUOTE_LIMIT): string {
  if (text.length <= limit) return escapeControls(text);
  return `${escapeControls(text.slice(0, limit))}…(${text.length} chars)`;
}

/** An input value quoted for a message: `"…"`, bounded, with quotes and backslashes escaped as in JSON. */
export function quote(text: string, limit = QUOTE_LIMIT): string {
  const cut = text.length <= limit ? text : text.slice(0, limit);
  const body = escapeControls(cut.replace(/[\\"]/g, (c) => `\\${c}`));
  return text.length <= limit ? `"${body}"` : `"${body}"…(${text.length} chars)`;
}

/** A whole message on one line and of bounded length, whatever the values in it. */
export function oneLine(message: string): string {
  return bounded(message, MESSAGE_LIMIT);
}
