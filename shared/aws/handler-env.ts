// The sync function's environment (set by infra/constructs/connector-sync-function.ts), parsed once.
import { z } from 'zod';

const envSchema = z.object({
  BUCKET: z.string().min(3),
  OBJECT_KEY: z.string().min(1),
  SECRET_ID: z.string().min(1),
  /** The instance id (several instances of one connector); defaults to the connector's name. */
  CONNECTOR_ID: z.string().min(1).optional(),
  /** Parent of the per-sync work folder. */
  WORK_ROOT: z.string().default('/tmp'),
  /** Refuse to start with less free space than this in WORK_ROOT. */
  MIN_FREE_TMP_MB: z.coerce.number().positive().default(64),
  SECRET_TTL_SECONDS: z.coerce.number().nonnegative().default(300),
  SYNC_CONCURRENCY: z.coerce.number().int().positive().default(6),
  /** A checkpoint older than this is discarded and the sync starts over. */
  CHECKPOINT_MAX_AGE_HOURS: z.coerce.number().positive().default(6),
  /** How long the lease holds without being released: the longest a sync may run. */
  MAX_SYNC_HOURS: z.coerce.number().positive().default(6),
  SLICE_YIELD_SECONDS: z.coerce.number().int().min(1).default(1),
  /** Attempts of a slice that fails transiently, each from the last checkpoint. */
  SLICE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  SLICE_RETRY_SECONDS: z.coerce.number().int().min(1).default(10),
  MAX_SLICES: z.coerce.number().int().min(1).default(500),
  /** The shrink guard: `off` lets any sync replace the live file. */
  SHRINK_GUARD: z.enum(['on', 'off']).default('on'),
  SHRINK_MAX_PRINCIPAL_DROP_PERCENT: z.coerce.number().min(0).max(100).default(50),
  SHRINK_MAX_GRANT_DROP_PERCENT: z.coerce.number().min(0).max(100).default(50),
  /** Drift against the previous live file after every sync. */
  DRIFT: z.enum(['on', 'off']).default('on'),
  DRIFT_SAMPLE_IDS: z.coerce.number().int().min(0).max(100).default(10),
});

export type HandlerEnv = z.infer<typeof envSchema>;

export function parseEnv(env: Record<string, string | undefined>): HandlerEnv {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${env[String(i.path[0])] === undefined ? 'not set' : i.message}`);
  throw new Error(`function environment is invalid: ${problems.join('; ')}`);
}
