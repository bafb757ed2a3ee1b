import { z } from 'zod';

/** Segment serves each workspace from one region; a token only works against its region's host. */
export const SEGMENT_HOSTS = {
  us: 'https://api.segmentapis.com',
  eu: 'https://eu1.api.segmentapis.com',
} as const;

export type SegmentRegion = keyof typeof SEGMENT_HOSTS;

export interface SegmentConfig {
  token: string;
  region: SegmentRegion;
  /** Resolved base URL without a trailing slash. */
  baseUrl: string;
}

// The Go connector has no region flag, so the keys follow the repo's BATON_* naming.
// BATON_BASE_URL wins over BATON_REGION so simulators and proxies can be targeted.
export const configSchema = z
  .object({
    BATON_TOKEN: z.string({ error: 'BATON_TOKEN is required' }).trim().min(1, { error: 'BATON_TOKEN is missing' }),
    BATON_REGION: z
      .string()
      .trim()
      .toLowerCase()
      .optional()
      .transform((v) => (v === undefined || v === '' ? 'us' : v))
      .pipe(z.enum(['us', 'eu'], { error: 'BATON_REGION must be "us" or "eu"' })),
    BATON_BASE_URL: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v === '' ? undefined : v))
      .pipe(z.url({ protocol: /^https?$/, error: 'BATON_BASE_URL must be an http(s) URL' }).optional()),
  })
  .transform(
    (raw): SegmentConfig => ({
      token: raw.BATON_TOKEN,
      region: raw.BATON_REGION,
      baseUrl: (raw.BATON_BASE_URL ?? SEGMENT_HOSTS[raw.BATON_REGION]).replace(/\/+$/, ''),
    }),
  );
