// Retry timing: exponential backoff with full jitter, and the two forms of Retry-After.

/**
 * Full jitter (uniform in [0, min(cap, base·2^n)]) so clients that failed together do not retry
 * together. `n` is 0 for the first retry.
 */
export function backoffMs(n: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(n, 30));
  return Math.floor(random() * ceiling);
}

/**
 * Milliseconds a `Retry-After` value asks for: delay-seconds (fractions accepted, some APIs send
 * them) or an HTTP date relative to `nowMs`. Undefined when absent or unreadable, so the caller
 * falls back to backoff.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw) * 1000);
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil(at - nowMs));
}
