import { z } from 'zod';
import { optionalUrl, optionalValue, requiredToken } from '../../shared/sync/config-fields.ts';

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
    BATON_TOKEN: requiredToken('BATON_TOKEN').describe('Public API token (Workspace Owner role)'),
    BATON_REGION: optionalValue
      .transform((v) => v?.toLowerCase() ?? 'us')
      .pipe(z.enum(['us', 'eu'], { error: 'BATON_REGION must be "us" or "eu"' }))
      .describe('us (default) or eu: the region that serves the workspace'),
    BATON_BASE_URL: optionalUrl('BATON_BASE_URL').describe('API base; wins over BATON_REGION (default https://api.segmentapis.com; simulators, proxies)'),
  })
  .transform(
    (raw): SegmentConfig => ({
      token: raw.BATON_TOKEN,
      region: raw.BATON_REGION,
      baseUrl: (raw.BATON_BASE_URL ?? SEGMENT_HOSTS[raw.BATON_REGION]).replace(/\/+$/, ''),
    }),
  );
