// Reading a response body: JSON or not, and why not; and zod failures as field paths.
import type { z } from 'zod';

export type ParsedBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'empty' }
  /**
   * Not JSON. `looksLikeJson` separates a cut or garbled JSON document (worth retrying: a dropped
   * connection or a server hiccup) from a different kind of page altogether (HTML login wall,
   * plain text), which will not change on retry.
   */
  | { kind: 'invalid'; looksLikeJson: boolean };

export function parseBody(text: string): ParsedBody {
  if (text.trim() === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch {
    return { kind: 'invalid', looksLikeJson: /^\s*[[{]/.test(text) };
  }
}

const MAX_ISSUES = 5;

/**
 * `members[3].id: expected string, received number; …`. Only paths and zod's own messages, which
 * describe types and the schema, never the offending input value.
 */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const message = issue.message.replace(/^Invalid input:\s*/, '');
    return `${formatPath(issue.path)}: ${message}`;
  });
  const more = error.issues.length - MAX_ISSUES;
  if (more > 0) parts.push(`and ${more} more`);
  return parts.join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}
