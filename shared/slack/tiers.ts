// Slack's Web API rate tiers as client-side pacing, shared by every Slack connector. Tiers are per
// method (and workspace or org). A burst of one minute's worth matches Slack's "occasional bursts"
// and lets a small tenant finish without spacing its few calls out. The pacing runs a quarter
// second behind Slack's buckets: that margin absorbs network jitter (two requests arriving closer
// together than they were sent), which would otherwise cost a 429 and a whole Retry-After second.
// It is kept as real time, not as a request held back: a request is a whole interval (3 s at
// Tier 2) that every sync longer than one burst would wait for nothing.
import type { RateLimit } from '../http/types.ts';

export interface Tier {
  perMinute: number;
  burst: number;
  jitterMs: number;
}

/** Network jitter the pacing absorbs, kept back from every tier's burst. */
export const JITTER_MARGIN_MS = 250;

export const TIER_1: Tier = { perMinute: 1, burst: 1, jitterMs: JITTER_MARGIN_MS };
export const TIER_2: Tier = { perMinute: 20, burst: 20, jitterMs: JITTER_MARGIN_MS };
export const TIER_3: Tier = { perMinute: 50, burst: 50, jitterMs: JITTER_MARGIN_MS };
export const TIER_4: Tier = { perMinute: 100, burst: 100, jitterMs: JITTER_MARGIN_MS };

/** One method's own bucket: `slack:<method>` (a connector may prefix its own namespace). */
export function tierLimit(method: string, tier: Tier, namespace = 'slack'): RateLimit {
  return { key: `${namespace}:${method}`, ...tier };
}

/**
 * SCIM is org-wide across all SCIM apps: reads 1000/min, reads by id 300/min, group PATCH 180/min
 * (burst 80), user PATCH/DELETE 180/min (burst 20); one token below each burst, as above.
 */
export const SCIM_RATE_LIMITS = {
  scimRead: { key: 'slack-scim:read', perMinute: 1000, burst: 999 },
  scimReadById: { key: 'slack-scim:read-by-id', perMinute: 300, burst: 299 },
  scimPatchGroup: { key: 'slack-scim:patch-group', perMinute: 180, burst: 79 },
  scimWriteUser: { key: 'slack-scim:write-user', perMinute: 180, burst: 19 },
} satisfies Record<string, RateLimit>;
