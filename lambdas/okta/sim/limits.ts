// Okta's Management API rate limits as the simulator enforces them: per-minute buckets by path
// (Workforce Identity org figures), counted in fixed windows, each API token or OAuth app limited
// to a share of every bucket (50 % by default), reported on every answer in X-Rate-Limit-Limit /
// -Remaining / -Reset.

import { bucketOf } from '../client.ts';
/** Requests per minute per bucket, Workforce Identity org. */
export const WORKFORCE_LIMITS = {
  apps: 100,
  app: 500,
  groups: 500,
  group: 1000,
  users: 600,
  user: 2000,
  'user-write': 600,
  other: 1200,
  oauth2: 600,
} as const;
export type SimBucket = keyof typeof WORKFORCE_LIMITS;

/** The bucket a request counts against: the connector's own buckets, plus the OAuth token endpoint's. */
export function simBucketOf(method: string, path: string): SimBucket {
  return path.startsWith('/oauth2/') ? 'oauth2' : bucketOf(method, path);
}

export interface WindowVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch seconds the window ends (fractional when time is scaled). */
  reset: number;
}

/** Fixed one-minute windows per bucket (shorter by `timeScale`), org-wide and per credential. */
export class WindowLimiter {
  enabled = true;
  timeScale = 1;
  /** Share of a bucket one credential may use. */
  tokenShare = 0.5;
  private readonly windows = new Map<string, { start: number; org: number; byToken: Map<string, number> }>();

  private readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  take(bucket: SimBucket, credential: string): WindowVerdict {
    const limit = WORKFORCE_LIMITS[bucket];
    const length = 60_000 / this.timeScale;
    const t = this.now();
    let w = this.windows.get(bucket);
    if (!w || t >= w.start + length) {
      // Windows start on the bucket's first request, as a minute that aligns with nobody's clock.
      w = { start: t, org: 0, byToken: new Map() };
      this.windows.set(bucket, w);
    }
    const end = w.start + length;
    const reset = this.timeScale === 1 ? Math.ceil(end / 1000) : end / 1000;
    if (!this.enabled) return { allowed: true, limit, remaining: limit, reset };
    const mine = w.byToken.get(credential) ?? 0;
    const allowed = w.org < limit && mine < Math.floor(limit * this.tokenShare);
    if (allowed) {
      w.org += 1;
      w.byToken.set(credential, mine + 1);
    }
    return { allowed, limit, remaining: Math.max(0, limit - w.org), reset };
  }
}
