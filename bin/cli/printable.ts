// Text from apps and users made safe for a terminal: control characters (C0, DEL, C1) and the
// invisible bidirectional overrides are shown as escapes, so a display name cannot set the
// window title, clear the screen, move the cursor or forge a table row.

const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same set without line feed: for messages whose lines we break on purpose. */
const UNSAFE_IN_LINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** One cell or one value: every control character escaped, line breaks included. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** A message of one or more lines: line feeds kept, every other control character escaped. */
export function printableLines(text: string): string {
  return text.replace(UNSAFE_IN_LINES, escapeOne);
}
