import type { z } from 'zod';
import type { Clock } from './clock.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A token bucket shared by every request that names the same key (e.g. one Slack method). */
export interface RateLimit {
  key: string;
  /** Sustained rate the API publishes for this key. */
  perMinute: number;
  /** Requests allowed back to back before the sustained rate applies; default 1 (smooth spacing). */
  burst?: number;
  /**
   * Real milliseconds the pacing keeps behind the API's own bucket (not scaled with the limits):
   * requests that arrive closer together than they were sent (network jitter) still fit. The last
   * request of a burst waits this long, and the sustained rate runs this far behind the API's.
   */
  jitterMs?: number;
  /**
   * The API's limit window (default one minute): a throttled key gets its full rate back this long
   * after its last throttle.
   */
  windowMs?: number;
}

/** What an app-specific hook makes of a response the transport considered complete. */
export type ResponseVerdict =
  | { action: 'ok' }
  /** Throttled although the status may be 200 (Slack `ok:false, error:ratelimited`, Segment `msBeforeNext`). */
  | { action: 'throttle'; retryAfterMs: number }
  /** Transient app error: retry with backoff like a 5xx. */
  | { action: 'retry'; reason: string }
  /** Permanent: fail the run at once with this error (already redacted and descriptive). */
  | { action: 'fail'; error: Error };

export interface ResponseInfo {
  method: HttpMethod;
  /** Path with query, secrets redacted: for messages only. */
  endpoint: string;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
}

/**
 * Laid over every client's options by a runtime (tests, benchmarks): option fields, and the clock
 * the clients wait on (a benchmark's virtual time).
 */
export type HttpOverrides = Partial<HttpClientOptions> & { clock?: Clock };

export interface HttpClientOptions {
  /** App name used in errors and stats, e.g. `slack`. */
  name: string;
  /** Absolute base URL; request paths are appended to it. */
  baseUrl: string;
  /** Headers on every request (e.g. Authorization); always redacted in errors and logs. */
  headers?: Record<string, string>;
  /** Per-attempt timeout (headers and body), default 30 s. */
  timeoutMs?: number;
  /**
   * Retries after the first attempt for network errors, timeouts, 5xx/408, garbled JSON bodies and
   * inspect `retry` verdicts; default 6. Throttles (429, inspect `throttle`) have their own budget
   * in time: see maxThrottledMs.
   */
  maxRetries?: number;
  /** First backoff step before full jitter, default 500 ms; capped at `maxBackoffMs` (default 30 s). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Longest Retry-After the client will sleep; a longer one fails the request. Default 5 min. */
  maxRetryAfterMs?: number;
  /**
   * Longest time one request may stay throttled (from its first throttle, waits included, until
   * an answer that is not a throttle): past it the request fails, naming the call. Default 10 min.
   */
  maxThrottledMs?: number;
  /**
   * Multiplies every RateLimit's perMinute. 1 in production; simulators that compress time use
   * the same factor on both sides.
   */
  rateLimitScale?: number;
  /**
   * Epoch ms no wait may end after (a Retry-After, a rate-limit slot, a backoff): such a wait throws
   * DeadlineReached at once instead, so the sync can checkpoint before Lambda's hard stop.
   */
  deadline?: number;
  /**
   * App-specific reading of a response (runs for every status, after the JSON parse attempt,
   * before the generic rules apply). Return undefined to leave the response to the generic rules;
   * `ok` skips them (even for a non-2xx status) and goes straight to schema validation.
   */
  inspect?: (res: ResponseInfo) => ResponseVerdict | undefined;
  /** Extra literal strings (secret values) that must never appear in an error or log line. */
  secrets?: string[];
  /**
   * Told of every attempt, retry, throttle and client-side rate-limit wait as it happens, so a
   * caller with a terminal can show it; shared code never prints. Must not throw.
   */
  onEvent?: (event: HttpEvent) => void;
  /** Paces requests that name a `pace` key from the API's rate-limit headers (window-pacer.ts). */
  pacer?: RequestPacer;
}

/**
 * Holds requests back by what the API's own headers report (a window's limit, what is left of it,
 * when it resets), where a fixed published rate (RateLimit) would be a guess.
 */
export interface RequestPacer {
  /** How long a request on `key` must wait before it is sent; 0 = now. Asked again after the wait. */
  delayMs(key: string, now: number): number;
  /** A request on `key` is being sent. */
  sent(key: string, now: number): void;
  /** The answer to a request on `key` (any status), or status 0 when none came. */
  observe(key: string, status: number, headers: Record<string, string | string[] | undefined>, now: number): void;
}

/** What the client is doing; `route` is the redacted stats label, `origin` the host it talks to. */
export type HttpEvent =
  | { type: 'attempt'; app: string; route: string; origin: string }
  /** A transient failure; the client waits `waitMs` and sends attempt `retry + 1` (of at most `of + 1`). */
  | { type: 'retry'; app: string; route: string; origin: string; retry: number; of: number; waitMs: number; reason: string }
  /**
   * The API said slow down; this request waits `waitMs` before it is sent again (with a rate
   * limit: until its turn on the slowed-down key, not just the Retry-After).
   */
  | { type: 'throttled'; app: string; route: string; origin: string; waitMs: number; reason: string }
  /** The client's own rate limit holds this request back about `waitMs`. */
  | { type: 'waiting'; app: string; route: string; origin: string; key: string; perMinute: number; waitMs: number };

export interface RequestOptions<T> {
  method?: HttpMethod;
  /** Appended to baseUrl; may be an absolute URL on the same API (e.g. a SCIM host). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  json?: unknown;
  headers?: Record<string, string>;
  /** zod schema of the JSON body: a mismatch fails with the endpoint and the field path. */
  schema: z.ZodType<T>;
  /** Token bucket to take from before sending. */
  rateLimit?: RateLimit;
  /** Key of the pacer window (HttpClientOptions.pacer) this request counts against. */
  pace?: string;
  /** Told the headers of the response that is returned (e.g. to read a `Link: rel="next"`). */
  onHeaders?: (headers: Record<string, string | string[] | undefined>) => void;
  /**
   * Label for per-call stats; default `METHOD path-without-query`. Pass one for paths that carry
   * ids (`/users/U123/groups`) so stats do not get one entry per id.
   */
  route?: string;
}

/** Per route: `count` attempts sent, their latencies (rate-limit waits excluded), final failures. */
export interface CallStat {
  count: number;
  totalMs: number;
  maxMs: number;
  errors: number;
}

/**
 * `requests`: every attempt sent; `retries`: re-sends after transient failures (not throttles);
 * `throttles`: 429s and inspect throttles; `errors`: requests that finally failed.
 */
export interface HttpStats {
  requests: number;
  retries: number;
  throttles: number;
  errors: number;
  byRoute: Record<string, CallStat>;
}

export interface HttpClient {
  request<T>(options: RequestOptions<T>): Promise<T>;
  readonly stats: HttpStats;
}
