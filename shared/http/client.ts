// The HTTP client every connector uses: undici with keep-alive, a per-attempt deadline, retries
// with jittered backoff, throttling (429, Retry-After, app-level signals), client-side rate
// limits, zod validation and redacted one-line errors.
import { Agent, type Dispatcher, request as send } from 'undici';
import { backoffMs, parseRetryAfter } from './backoff.ts';
import { describeIssues, parseBody } from './body.ts';
import { scopeSignal, unlessAborted } from './call-scope.ts';
import { type Clock, systemClock, withDeadline } from './clock.ts';
import { HttpError, type HttpErrorKind, kindForStatus } from './errors.ts';
import { RateLimiter } from './rate-limiter.ts';
import { excerpt, redact, redactUrl, SENSITIVE_NAME, secretsFromHeaders } from './redact.ts';
import { buildUrl, encodeBody } from './request-parts.ts';
import type { CallStat, HttpClient, HttpClientOptions, HttpEvent, HttpMethod, HttpStats, RequestOptions } from './types.ts';

/**
 * Re-sends after a 2xx whose body looks like cut or garbled JSON. A dropped connection or a server
 * hiccup deserves a second chance; a server that keeps sending broken JSON does not deserve seven.
 */
export const MAX_BODY_RETRIES = 2;

const DEFAULTS = {
  timeoutMs: 30_000,
  maxRetries: 6,
  baseBackoffMs: 500,
  maxBackoffMs: 30_000,
  maxRetryAfterMs: 5 * 60_000,
  maxThrottledMs: 10 * 60_000,
  rateLimitScale: 1,
};

/** Test seams and runtime wiring, deliberately outside the public options. */
export interface ClientInternals {
  clock?: Clock;
  /** Shared by every client of one runtime, so a sync's pacing can be carried to its next slice. */
  limiter?: RateLimiter;
  random?: () => number;
  dispatcher?: Dispatcher;
}

// One pool per origin inside one agent, shared by every client in the process: a warm Lambda
// keeps its TLS connections across invocations. Idle sockets are unref'd by undici, so they do
// not hold the event loop open.
let sharedAgent: Agent | undefined;
function defaultDispatcher(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
  return sharedAgent;
}

type Attempt =
  | { ok: true; status: number; headers: Record<string, string | string[] | undefined>; text: string }
  | { ok: false; error: unknown; timedOut: boolean };

export function createHttpClient(options: HttpClientOptions, internals: ClientInternals = {}): HttpClient {
  const app = options.name;
  const clock = withDeadline(internals.clock ?? systemClock, options.deadline);
  const random = internals.random ?? Math.random;
  const dispatcher = internals.dispatcher ?? defaultDispatcher();
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxRetries = options.maxRetries ?? DEFAULTS.maxRetries;
  const baseBackoff = options.baseBackoffMs ?? DEFAULTS.baseBackoffMs;
  const maxBackoff = options.maxBackoffMs ?? DEFAULTS.maxBackoffMs;
  const maxRetryAfter = options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs;
  const maxThrottled = options.maxThrottledMs ?? DEFAULTS.maxThrottledMs;

  const base = new URL(options.baseUrl);
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`${app}: baseUrl must be an http(s) URL`);
  }
  const clientSecrets = [...(options.secrets ?? []), ...secretsFromHeaders(options.headers)];
  const defaultHeaders = lowerKeys(options.headers);
  const limiter = internals.limiter ?? new RateLimiter({ scale: options.rateLimitScale ?? DEFAULTS.rateLimitScale, clock });
  const stats: HttpStats = { requests: 0, retries: 0, throttles: 0, errors: 0, byRoute: {} };

  async function attempt(
    url: URL,
    method: HttpMethod,
    headers: Record<string, string>,
    body: string | undefined,
    stat: CallStat,
    cancel: AbortSignal | undefined,
  ): Promise<Attempt> {
    stats.requests += 1;
    stat.count += 1;
    const started = performance.now();
    // One deadline for headers and body together: undici's own timeouts are per phase and reset
    // on every chunk, so a server trickling a body would never trip them.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCancel = () => controller.abort();
    cancel?.addEventListener('abort', onCancel, { once: true });
    try {
      const res = await send(url, { dispatcher, method, headers, body: body ?? null, signal: controller.signal });
      const text = await res.body.text();
      return { ok: true, status: res.statusCode, headers: res.headers, text };
    } catch (error) {
      return { ok: false, error, timedOut };
    } finally {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
      const ms = performance.now() - started;
      stat.totalMs += ms;
      stat.maxMs = Math.max(stat.maxMs, ms);
    }
  }

  async function request<T>(req: RequestOptions<T>): Promise<T> {
    const method = req.method ?? 'GET';
    const url = buildUrl(options.baseUrl, req.path, req.query);
    const otherHost = url.origin !== base.origin;
    const secrets = [
      ...clientSecrets,
      ...secretsFromHeaders(req.headers),
      ...sensitiveValues(req.query),
      ...sensitiveValues(req.form),
      ...sensitiveValues(req.json),
    ];
    const endpoint = redactUrl(url, secrets, otherHost);
    const route = redact(req.route ?? `${method} ${otherHost ? url.host : ''}${url.pathname}`, secrets);
    const stat = (stats.byRoute[route] ??= { count: 0, totalMs: 0, maxMs: 0, errors: 0 });

    const encoded = encodeBody(req.form, req.json);
    const headers: Record<string, string> = { accept: 'application/json', ...defaultHeaders, ...lowerKeys(req.headers) };
    if (encoded && !headers['content-type']) headers['content-type'] = encoded.contentType;

    let attempts = 0;
    let retries = 0;
    let bodyRetries = 0;
    let throttlesInARow = 0;
    /** When the current run of throttles began: reset by any answer that is not a throttle. */
    let throttledSince: number | undefined;
    /** The coming rate-limit wait was already reported (by the throttle that caused it). */
    let waitAnnounced = false;

    // The work this request is part of may be called off (a webhook past its answer budget): then
    // the attempt in flight is aborted and no wait or retry follows.
    const cancel = scopeSignal();
    const cancelled = () =>
      fail('timeout', `cancelled: ${cancel?.reason instanceof Error ? cancel.reason.message : 'the work it was part of was called off'}${times()}`);
    const sleep = (ms: number) => unlessAborted(clock.sleep(ms), cancel);
    const fail = (kind: HttpErrorKind, detail: string, status?: number) =>
      new HttpError({ app, method, endpoint, kind, status, attempts, origin: url.origin, detail: redact(detail, secrets) });
    const emit = (event: HttpEvent) => {
      try {
        options.onEvent?.(event);
      } catch {
        // A display hook must never change the outcome of a request.
      }
    };
    const where = { app, route, origin: url.origin };
    const times = () => (attempts > 1 ? ` after ${attempts} attempts` : '');

    // A transient failure: wait and go round again, or give up once maxRetries are spent.
    const retryOrFail = async (kind: HttpErrorKind, finalDetail: () => string, status?: number, waitMs?: number) => {
      if (retries >= maxRetries) throw fail(kind, finalDetail(), status);
      retries += 1;
      stats.retries += 1;
      throttlesInARow = 0;
      throttledSince = undefined;
      const wait = waitMs ?? backoffMs(retries - 1, baseBackoff, maxBackoff, random);
      emit({
        type: 'retry',
        ...where,
        retry: retries,
        of: maxRetries,
        waitMs: wait,
        reason: redact(
          finalDetail()
            .replace(/^failed: /, '')
            .replace(/ after \d+ attempts/, ''),
          secrets,
        ),
      });
      await sleep(wait);
    };

    // Throttles have their own budget, in time: waiting out a rate limit is normal work on a big
    // tenant, not a sign of failure, but a limit that never lifts must still end the run, and a
    // count would end it after seconds on an API that asks for short waits and hours on one that
    // asks for long ones.
    const throttle = async (waitMs: number | undefined, what: string, status: number) => {
      stats.throttles += 1;
      throttlesInARow += 1;
      const now = clock.now();
      throttledSince ??= now;
      const asked = waitMs ?? backoffMs(throttlesInARow - 1, baseBackoff, maxBackoff, random);
      if (asked > maxRetryAfter) {
        throw fail('throttle', `failed: ${what} and asked to wait ${seconds(asked)}, longer than the ${seconds(maxRetryAfter)} the client will wait`, status);
      }
      // With a bucket, pausing it holds back this request and every other one on the key, and
      // slows the key down; the wait this request really faces is its turn on the slowed key.
      if (req.rateLimit) limiter.pause(req.rateLimit.key, asked);
      const wait = req.rateLimit ? Math.max(asked, limiter.estimateWaitMs(req.rateLimit)) : asked;
      if (now + wait - throttledSince > maxThrottled) {
        throw fail(
          'throttle',
          `failed: ${what}; still throttled after ${duration(now - throttledSince)} (${throttlesInARow} throttles in a row), and the next wait of ${seconds(wait)} would pass the ${duration(maxThrottled)} the client waits out; ` +
            `something else may be using this token's rate limit: run the sync again when it is quieter, or ask ${app} for a higher limit`,
          status,
        );
      }
      emit({ type: 'throttled', ...where, waitMs: wait, reason: what });
      waitAnnounced = true;
      if (!req.rateLimit) await sleep(wait);
    };

    try {
      for (;;) {
        if (req.rateLimit) {
          if (options.onEvent && !waitAnnounced) {
            const waitMs = limiter.estimateWaitMs(req.rateLimit);
            if (waitMs > 0) emit({ type: 'waiting', ...where, key: req.rateLimit.key, perMinute: req.rateLimit.perMinute, waitMs });
          }
          waitAnnounced = false;
          await unlessAborted(limiter.take(req.rateLimit), cancel);
        }
        const pacer = req.pace === undefined ? undefined : options.pacer;
        if (pacer && req.pace !== undefined) {
          for (let wait = pacer.delayMs(req.pace, clock.now()); wait > 0; wait = pacer.delayMs(req.pace, clock.now())) {
            emit({ type: 'throttled', ...where, waitMs: wait, reason: `${req.pace}: this rate-limit window is spent` });
            await unlessAborted(clock.sleep(wait), cancel);
          }
          pacer.sent(req.pace, clock.now());
        }
        if (cancel?.aborted) throw cancelled();
        attempts += 1;
        emit({ type: 'attempt', ...where });
        const res = await attempt(url, method, headers, encoded?.body, stat, cancel);
        if (pacer && req.pace !== undefined) pacer.observe(req.pace, res.ok ? res.status : 0, res.ok ? res.headers : {}, clock.now());
        if (cancel?.aborted) throw cancelled();

        if (!res.ok) {
          if (res.timedOut) {
            await retryOrFail('timeout', () => `failed: no complete response from ${url.host} within ${timeoutMs} ms${times()}`);
          } else if (url.protocol === 'https:' && speaksPlainHttp(res.error)) {
            // Retrying cannot change what the port speaks.
            throw fail(
              'network',
              `failed: ${url.host} does not speak TLS (it answered like a plain-HTTP port); use http:// for it, or the port that serves HTTPS`,
            );
          } else {
            await retryOrFail('network', () => `failed: cannot reach ${url.host}: ${describeNetworkError(res.error)}${times()}`);
          }
          continue;
        }

        const { status, text } = res;
        const parsed = parseBody(text);
        const verdict = options.inspect?.({ method, endpoint, status, headers: res.headers, body: parsed.kind === 'json' ? parsed.value : undefined });

        if (verdict?.action === 'throttle') {
          await throttle(verdict.retryAfterMs, `was throttled (HTTP ${status})`, status);
          continue;
        }
        if (verdict?.action === 'retry') {
          await retryOrFail('server', () => `failed: ${verdict.reason}${times()}`, status);
          continue;
        }
        if (verdict?.action === 'fail') {
          try {
            verdict.error.message = redact(verdict.error.message, secrets);
          } catch {
            // A frozen error keeps its message; the hook promised it was redacted already.
          }
          throw verdict.error;
        }
        if (verdict?.action !== 'ok') {
          if (status === 429) {
            await throttle(parseRetryAfter(res.headers['retry-after'], clock.now()), 'got HTTP 429', status);
            continue;
          }
          if (status >= 500 || status === 408) {
            // Some servers say when to come back on a 503; a silly value falls back to backoff.
            const hinted = parseRetryAfter(res.headers['retry-after'], clock.now());
            const wait = hinted !== undefined && hinted <= maxBackoff ? hinted : undefined;
            await retryOrFail('server', () => `failed: HTTP ${status}${times()}${quoted(text, secrets)}`, status, wait);
            continue;
          }
          if (status < 200 || status >= 300) {
            throw fail(kindForStatus(status), `failed: HTTP ${status}${times()}${quoted(text, secrets)}`, status);
          }
        }

        throttledSince = undefined;
        if (parsed.kind === 'invalid') {
          const detail = () => `returned a body that is not valid JSON (HTTP ${status}${times().replace(' after', ',')}: ${excerpt(text, secrets, 80)})`;
          if (parsed.looksLikeJson && bodyRetries < MAX_BODY_RETRIES) {
            bodyRetries += 1;
            await retryOrFail('body', detail, status);
            continue;
          }
          throw fail('body', detail(), status);
        }

        const value = parsed.kind === 'json' ? parsed.value : undefined;
        const checked = req.schema.safeParse(value);
        if (!checked.success) {
          if (parsed.kind === 'empty') throw fail('body', `returned an empty body (HTTP ${status})`, status);
          throw fail('schema', `returned a body that does not match the expected schema: ${describeIssues(checked.error)}`, status);
        }
        req.onHeaders?.(res.headers);
        return checked.data;
      }
    } catch (error) {
      stats.errors += 1;
      stat.errors += 1;
      if (cancel?.aborted && !(error instanceof HttpError)) throw cancelled();
      throw error;
    }
  }

  return { request, stats };
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value;
  return out;
}

/** Values of credential-named fields (`token`, `client_secret`…) so an echo of them is scrubbed too. */
function sensitiveValues(fields: unknown): string[] {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return [];
  const out: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (SENSITIVE_NAME.test(name) && (typeof value === 'string' || typeof value === 'number')) out.push(String(value));
  }
  return out;
}

function quoted(text: string, secrets: readonly string[]): string {
  const short = excerpt(text, secrets);
  return short ? ` (${short})` : '';
}

/** `45 s` or `12 min`: a span as a person reads it. */
function duration(ms: number): string {
  return ms < 120_000 ? seconds(ms) : `${Math.round(ms / 60_000)} min`;
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/** OpenSSL's complaint on getting plain HTTP back from a TLS handshake. */
function speaksPlainHttp(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST' || /wrong version number|http request/i.test(e.message)) return true;
  }
  return false;
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return `network error: ${String(error)}`;
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const label = typeof code === 'string' && !error.message.includes(code) ? `${code} ` : '';
  // OpenSSL messages run over several lines and carry source paths: the first line says it.
  return `network error: ${label}${error.message}${cause}`.split('\n')[0]!.replace(/:\.\.\/deps\/\S*$/, '');
}
