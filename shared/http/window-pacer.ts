// Pacing from an API's own rate-limit headers, for APIs that count requests in fixed windows and
// say so on every response (Okta's X-Rate-Limit-Limit / -Remaining / -Reset). Where a token bucket
// (rate-limiter.ts) spaces requests at a published rate, this spends each window's budget as it
// is reported, one below the limit, and holds further requests until the window resets. A share
// below 1 caps what this client takes of a window when the API gives each token only part of the
// org-wide limit (Okta: 50 % by default).
import type { RequestPacer } from './types.ts';

export interface WindowPacerOptions {
  /** Fraction of each window's limit this client may use (0 < share ≤ 1). Default 1. */
  share?: number;
  /** Requests left unspent in every window, so jitter never costs a 429. Default 1. */
  reserve?: number;
  /** Header names; default Okta's (which GitHub and others also use, spelled alike). */
  headers?: { limit: string; remaining: string; reset: string };
}

interface Window {
  /** Whether any answer came back yet: until one does, a single request finds out the window. */
  answered: boolean;
  limit: number | undefined;
  /** The lowest Remaining reported in the current window (responses may arrive out of order). */
  remaining: number | undefined;
  /** Local epoch ms at which the current window ends. */
  resetAt: number | undefined;
  /** Requests this client sent in the current window. */
  used: number;
  /** Requests sent since `remaining` was read, which it may not count yet. */
  unseen: number;
  inflight: number;
}

/** How often requests behind the first one of a key look again whether it was answered. */
const PROBE_WAIT_MS = 20;

/** Seconds of disagreement between our clock and the server's Date below which we trust ours. */
const SKEW_TOLERANCE_S = 2;

export class WindowPacer implements RequestPacer {
  private readonly windows = new Map<string, Window>();
  private readonly share: number;
  private readonly reserve: number;
  private readonly names: { limit: string; remaining: string; reset: string };

  constructor(options: WindowPacerOptions = {}) {
    this.share = options.share ?? 1;
    if (!(this.share > 0 && this.share <= 1)) throw new Error(`window pacer: share must be in (0, 1], got ${options.share}`);
    this.reserve = Math.max(0, Math.floor(options.reserve ?? 1));
    this.names = options.headers ?? { limit: 'x-rate-limit-limit', remaining: 'x-rate-limit-remaining', reset: 'x-rate-limit-reset' };
  }

  delayMs(key: string, now: number): number {
    const w = this.window(key, now);
    // A new process knows nothing of a window an earlier one may have spent: one request asks first.
    if (!w.answered) return w.inflight > 0 ? PROBE_WAIT_MS : 0;
    if (w.limit === undefined) return 0;
    const ours = Math.floor(w.limit * this.share) - this.reserve - w.used;
    const org = (w.remaining ?? w.limit) - this.reserve - w.unseen;
    if (Math.min(ours, org) > 0) return 0;
    // Out of budget with no known end of window (headers lost): look again shortly.
    return w.resetAt !== undefined && w.resetAt > now ? w.resetAt - now : 1000;
  }

  sent(key: string, now: number): void {
    const w = this.window(key, now);
    w.used += 1;
    w.unseen += 1;
    w.inflight += 1;
  }

  observe(key: string, status: number, headers: Record<string, string | string[] | undefined>, now: number): void {
    const w = this.window(key, now);
    w.inflight = Math.max(0, w.inflight - 1);
    const first = !w.answered && status !== 0;
    if (status !== 0) w.answered = true;
    const limit = numberHeader(headers, this.names.limit);
    const remaining = numberHeader(headers, this.names.remaining);
    const reset = numberHeader(headers, this.names.reset);
    if (status === 0) {
      w.unseen = Math.max(0, w.unseen - 1);
      return;
    }
    if (limit === undefined || limit < 1 || remaining === undefined || reset === undefined) {
      // An answer without usable headers: nothing to pace by any more (the API stopped reporting).
      w.limit = undefined;
      w.resetAt = undefined;
      w.remaining = undefined;
      w.unseen = 0;
      return;
    }
    const resetAt = now + Math.max(0, reset - this.serverNowSeconds(headers, now)) * 1000;
    // A reset more than a second later than the one we hold starts a new window.
    if (w.resetAt === undefined || resetAt > w.resetAt + 1000) {
      w.resetAt = resetAt;
      w.remaining = remaining;
    } else {
      w.remaining = Math.min(w.remaining ?? remaining, remaining);
    }
    w.limit = limit;
    // A first answer in this process: what the window already counts may be an earlier process's
    // (the previous slice, with the same token), so it counts as ours.
    if (first) w.used = Math.max(w.used, limit - remaining);
    // Whatever is still in flight may have reached the server after this answer was counted.
    w.unseen = w.inflight;
  }

  /** The server's clock in epoch seconds: ours, unless its Date header says ours is off by seconds. */
  private serverNowSeconds(headers: Record<string, string | string[] | undefined>, now: number): number {
    const ours = now / 1000;
    const raw = headers.date;
    const date = Date.parse(Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''));
    if (Number.isNaN(date)) return ours;
    const theirs = date / 1000;
    return Math.abs(theirs - ours) >= SKEW_TOLERANCE_S ? theirs : ours;
  }

  private window(key: string, now: number): Window {
    let w = this.windows.get(key);
    if (!w) {
      w = { answered: false, limit: undefined, remaining: undefined, resetAt: undefined, used: 0, unseen: 0, inflight: 0 };
      this.windows.set(key, w);
    }
    if (w.resetAt !== undefined && now >= w.resetAt) {
      // The window ended: a fresh budget, until a response reports the new one. What is still in
      // flight may land in the new window, so it counts there.
      w.resetAt = undefined;
      w.remaining = undefined;
      w.used = w.inflight;
      w.unseen = w.inflight;
    }
    return w;
  }
}

function numberHeader(headers: Record<string, string | string[] | undefined>, name: string): number | undefined {
  const raw = headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
