// Names are data (DESIGN §5): text that a model or a lane produced — answers, tool names, error
// messages, ids from a suite — is cleaned for the medium it is about to reach. One module, so a
// terminal line, `status`, the cockpit and Markdown all strip the same things.

// C0 controls except \n and \t, DEL, and C1 controls (U+0080–U+009F: 0x9b is a one-byte CSI).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// Bidi overrides and isolates can make a line read differently from what it holds.
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text safe for a terminal that may span lines: escape sequences (ESC and the CSI/OSC byte that
 * follow it lose their ESC, so nothing is interpreted), carriage returns and bidi overrides go;
 * newlines and tabs stay.
 */
export function stripControl(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(BIDI, '');
}

/** Text safe for one terminal line: as stripControl, with newlines and tabs turned into spaces. */
export function oneLine(text: string): string {
  return stripControl(text).replace(/[\n\t]+/g, ' ');
}

/**
 * A Markdown table cell: one line, no control characters, and nothing Markdown or HTML would
 * interpret (pipes, backslashes, backticks, `*` emphasis, links, angle brackets). `_` is kept:
 * ids like `p1_read_grounding` stay readable and GFM does not emphasise inside a word.
 */
export function mdCell(text: string): string {
  return oneLine(text)
    .replace(/[\\`*[\]|<>]/g, (ch) => `\\${ch}`)
    .replace(/&/g, '&amp;');
}

/** Text for an HTML page (element content or a quoted attribute): one line, markup characters escaped. */
export function htmlText(text: string): string {
  return oneLine(text).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Characters a file name made from an id may keep; anything else is replaced. */
const FILE_NAME_UNSAFE = /[^A-Za-z0-9._+-]/g;

/**
 * A file name for an id that can never leave its folder or collide with another id's: unsafe
 * characters become `_`, and when anything had to change, a short hash of the original id is
 * appended so `a/b` and `a_b` stay distinct. `.`/`..` and empty ids are never returned.
 */
export function safeFileName(id: string): string {
  const cleaned = id.replace(FILE_NAME_UNSAFE, '_').slice(0, 100);
  if (cleaned === id && id !== '' && id !== '.' && id !== '..' && !id.startsWith('.')) return id;
  return `${cleaned.replace(/^\.+/, '_')}-${fnv1a(id)}`;
}

/** 32-bit FNV-1a as 8 hex digits: short and stable, enough to tell ids apart in a file name. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
