// Paging and error answers every Slack simulator speaks: opaque base64 cursors with Slack's
// `limit` cap, SCIM ListResponse pages by startIndex/count, SCIM error bodies and PATCH operations.
import type { SimRequest, SimResponse } from '../../sim/kit.ts';

const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/**
 * A cursor page of `items` (`max` caps `limit`); `invalid_cursor` for a cursor we did not issue.
 * `shortPages`: one page in three (by a hash of its offset) holds 10 % fewer items than asked, as Slack's do.
 */
export function cursorPage<T>(items: readonly T[], params: URLSearchParams, max: number, shortPages = false): { items: T[]; next: string } | { error: string } {
  const cursor = params.get('cursor') ?? '';
  let offset = 0;
  if (cursor) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
    if (!m) return { error: 'invalid_cursor' };
    offset = Number(m[1]);
  }
  const limitParam = Number(params.get('limit') ?? '0');
  const asked = limitParam > 0 ? Math.min(limitParam, max) : max;
  const short = shortPages && asked >= 10 && Math.imul(offset + 1, 2654435761) >>> 30 === 1;
  const limit = short ? Math.ceil(asked * 0.9) : asked;
  const slice = items.slice(offset, offset + limit);
  const nextOffset = offset + slice.length;
  return { items: slice, next: nextOffset < items.length ? Buffer.from(`offset:${nextOffset}`).toString('base64') : '' };
}

export function scimList<T>(items: readonly T[], req: SimRequest, render: (t: T) => unknown): SimResponse {
  const start = Math.max(1, Number(req.query.get('startIndex') ?? '1') || 1);
  const count = Math.min(1000, Math.max(0, Number(req.query.get('count') ?? '10') || 10));
  const slice = items.slice(start - 1, start - 1 + count);
  return { body: { schemas: [LIST_SCHEMA], totalResults: items.length, itemsPerPage: slice.length, startIndex: start, Resources: slice.map(render) } };
}

export function scimError(status: number, description: string): SimResponse {
  return { status, body: { Errors: { description, code: status } } };
}

export function scimRateLimited(retryAfterSec: number): SimResponse {
  return { status: 429, headers: { 'retry-after': String(retryAfterSec) }, body: { Errors: { description: 'rate_limited', code: 429 } } };
}

export function patchOps(body: unknown): { op: string; path?: string; value?: unknown }[] {
  const ops = (body as { Operations?: unknown } | undefined)?.Operations;
  return Array.isArray(ops) ? (ops as { op: string; path?: string; value?: unknown }[]) : [];
}

/** Slack's two ways of refusing a call over its tier: HTTP 429, or HTTP 200 `ok:false ratelimited`. */
export function webRateLimited(form: '429' | 'ok-false', retryAfterSec: number): SimResponse {
  return { status: form === '429' ? 429 : 200, headers: { 'retry-after': String(retryAfterSec) }, body: { ok: false, error: 'ratelimited' } };
}
