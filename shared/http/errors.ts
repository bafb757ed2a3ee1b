// The one error type the client throws, so callers (and the Lambda handler's metrics) can tell an
// expired credential from an outage from an API that changed shape without parsing messages.
import type { HttpMethod } from './types.ts';

export type HttpErrorKind = 'auth' | 'client' | 'server' | 'throttle' | 'network' | 'timeout' | 'body' | 'schema';

export interface HttpErrorInit {
  app: string;
  method: HttpMethod;
  /** Path and query, already redacted. */
  endpoint: string;
  kind: HttpErrorKind;
  status?: number;
  /** Attempts sent for this request, when it was retried. */
  attempts?: number;
  /** Scheme, host and port the request went to (no path, no credentials). */
  origin?: string;
  /** Rest of the one-line message after `<app>: <METHOD> <endpoint> `, already redacted. */
  detail: string;
  cause?: unknown;
}

/**
 * Kinds a later attempt may get past: outages, throttling, timeouts, and a body that did not arrive
 * as JSON (cut short or an intermediary's page; the client already re-sent it). `schema` (well-formed
 * JSON of another shape: the API changed), `auth` and `client` stay wrong however often they are asked.
 */
const RETRYABLE_KINDS: ReadonlySet<HttpErrorKind> = new Set(['server', 'throttle', 'network', 'timeout', 'body']);

export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly app: string;
  readonly method: HttpMethod;
  readonly endpoint: string;
  readonly kind: HttpErrorKind;
  readonly status?: number;
  readonly attempts?: number;
  readonly origin?: string;

  constructor(init: HttpErrorInit) {
    super(`${init.app}: ${init.method} ${init.endpoint} ${init.detail}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.app = init.app;
    this.method = init.method;
    this.endpoint = init.endpoint;
    this.kind = init.kind;
    this.status = init.status;
    this.attempts = init.attempts;
    this.origin = init.origin;
  }

  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }
}

/** Kind of a final, non-retried HTTP status. */
export function kindForStatus(status: number): HttpErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'throttle';
  if (status >= 500) return 'server';
  return 'client';
}
