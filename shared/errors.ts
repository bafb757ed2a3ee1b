// How every error becomes a message: one line, the AWS error code by one precedence, and zod
// issues as `KEY: what is wrong` (keys, never values).
import type { z } from 'zod';

/** An error (or text) as one line, cut at `max` characters. */
export function oneLine(value: unknown, max = 1000): string {
  const text = value instanceof Error ? value.message : String(value);
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

const GENERIC_NAMES = new Set(['Error', 'S3ServiceException', 'SecretsManagerServiceException', 'LambdaServiceException']);

/** The service's error code: `Code` (S3's XML), then `name`, then Node's `code`. */
export function errorCode(err: unknown, fallback = 'UnknownError'): string {
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; Code?: unknown; code?: unknown };
    for (const c of [e.Code, e.name, e.code]) {
      if (typeof c === 'string' && c !== '' && !GENERIC_NAMES.has(c)) return c;
    }
  }
  return fallback;
}

export interface IssueReport {
  /** The keys with problems, in order, once each (`(secret)` for the map as a whole). */
  keys: string[];
  /** `KEY: required key is missing; OTHER: must be an http(s) URL`. */
  message: string;
}

/**
 * Zod issues of a parsed map as key-named problems; a key absent from `input` reads as missing,
 * followed by the key's help when `help` knows it (what the key is and where to get it).
 */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: Record<string, unknown>,
  clean: (s: string) => string = (s) => s,
  help: (key: string) => string | undefined = () => undefined,
): IssueReport {
  const keys: string[] = [];
  const parts: string[] = [];
  for (const issue of issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '(secret)';
    if (!keys.includes(key)) keys.push(key);
    const top = issue.path[0];
    // A custom rule on an absent key ("X is required when Y is set") keeps its own message.
    const missing = issue.code === 'invalid_type' && typeof top === 'string' && issue.path.length === 1 && input[top] === undefined;
    const hint = missing ? help(top) : undefined;
    parts.push(`${key}: ${missing ? `required key is missing${hint ? ` (${hint})` : ''}` : clean(oneLine(issue.message))}`);
  }
  return { keys, message: parts.join('; ') };
}

/** Configuration that cannot work (a connector's secret map, CDK context): names keys, never values. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly retryable = false;
  readonly keys: string[];
  constructor(message: string, keys: readonly string[]) {
    super(message);
    this.keys = [...keys];
  }
}

/** Network and service codes worth another attempt when no error in the chain gives a verdict. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
]);

/**
 * Whether a later attempt may succeed where this one failed: the one verdict for sync slices and
 * provisioning alike. An error gives its own verdict with a boolean `retryable` (every error type
 * of ours does); otherwise its cause chain is asked, then its AWS or Node error code. Unknown
 * errors are permanent: retrying a bug only delays the line that names it.
 */
export function isRetryable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const verdict = (e as { retryable?: unknown }).retryable;
    if (typeof verdict === 'boolean') return verdict;
    if (TRANSIENT_CODES.has(errorCode(e, ''))) return true;
  }
  return false;
}
