// makeSyncHandler(connector): the whole Lambda. Event → env → secret → sync in /tmp/<syncId>/ →
// verified c1z → one upload that replaces <prefix>/<app>/sync.c1z → metrics and one summary line.
// Any failure throws before the upload completes, so the last good object stays as it was.
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { statfs } from 'node:fs/promises';
import { z } from 'zod';
import type { Counts } from '../c1z/writer.ts';
import { oneLine } from '../errors.ts';
import { redact } from '../http/redact.ts';
import type { HttpClientOptions, HttpStats } from '../http/types.ts';
import type { ConnectorDefinition } from '../sync/connector.ts';
import { runSync } from '../sync/run-sync.ts';
import { createTelemetry, publishRun } from '../observability/telemetry.ts';
import { parseEvent } from './event.ts';
import { loadConnectorConfig } from './secrets.ts';
import { uploadC1z } from './upload.ts';

const envSchema = z.object({
  BUCKET: z.string().min(3),
  OBJECT_KEY: z.string().min(1),
  SECRET_ID: z.string().min(1),
  /** Parent of the per-sync work folder. */
  WORK_ROOT: z.string().default('/tmp'),
  /** Refuse to start with less free space than this in WORK_ROOT. */
  MIN_FREE_TMP_MB: z.coerce.number().positive().default(64),
  SECRET_TTL_SECONDS: z.coerce.number().nonnegative().default(300),
  SYNC_CONCURRENCY: z.coerce.number().int().positive().default(6),
});

export type HandlerEnv = z.infer<typeof envSchema>;

export interface SyncResult {
  syncId: string;
  bucket: string;
  key: string;
  counts: Counts;
  bytes: number;
  durationMs: number;
  dryRun: boolean;
  uploaded: boolean;
}

export interface HandlerDeps {
  s3?: S3Client;
  secrets?: SecretsManagerClient;
  env?: Record<string, string | undefined>;
  /** Tests: point the connector's HTTP at a simulator's clock. */
  httpOverrides?: Partial<HttpClientOptions>;
}

/** Time kept back from the Lambda deadline for packing, verifying and uploading. */
function reserveMs(remaining: number): number {
  return Math.min(60_000, Math.max(3_000, remaining * 0.2));
}

export function parseEnv(env: Record<string, string | undefined>): HandlerEnv {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${env[String(i.path[0])] === undefined ? 'not set' : i.message}`);
  throw new Error(`function environment is invalid: ${problems.join('; ')}`);
}

export function makeSyncHandler<C>(definition: ConnectorDefinition<C>, deps: HandlerDeps = {}) {
  const { logger, metrics } = createTelemetry(definition.name, deps.env?.POWERTOOLS_METRICS_NAMESPACE);
  // One client each per container: connections are reused across warm invocations.
  const s3 = deps.s3 ?? new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
  const secretsClient = deps.secrets ?? new SecretsManagerClient({});

  return async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>): Promise<SyncResult> {
    const started = Date.now();
    if (context.awsRequestId) logger.addContext(context as Context);
    let secretValues: string[] = [];
    let counts: Counts | undefined;
    let bytes: number | undefined;
    let http: HttpStats | undefined;
    let syncId: string | undefined;
    try {
      const trigger = parseEvent(event);
      const env = parseEnv(deps.env ?? process.env);
      await ensureFreeSpace(env.WORK_ROOT, env.MIN_FREE_TMP_MB);
      const remaining = context.getRemainingTimeInMillis();
      const deadline = started + remaining - reserveMs(remaining);
      const { config, secretValues: values } = await loadConnectorConfig({
        client: secretsClient,
        secretId: env.SECRET_ID,
        schema: definition.configSchema,
        ttlMs: env.SECRET_TTL_SECONDS * 1000,
      });
      secretValues = values;
      const dryRun = trigger.kind === 'manual' && trigger.dryRun;
      let uploaded = false;
      const summary = await runSync({
        definition,
        config,
        secretValues,
        workRoot: env.WORK_ROOT,
        deadline,
        concurrency: env.SYNC_CONCURRENCY,
        httpOverrides: deps.httpOverrides,
        log: (message, fields) => logger.info(redact(message, secretValues), fields ?? {}),
        deliver: async (file, s) => {
          syncId = s.syncId;
          counts = s.counts;
          bytes = s.bytes;
          http = s.http;
          if (dryRun) return;
          await uploadC1z({
            client: s3,
            bucket: env.BUCKET,
            key: env.OBJECT_KEY,
            file,
            metadata: {
              connector: definition.name,
              'sync-id': s.syncId,
              'resource-types': String(s.counts.resourceTypes),
              resources: String(s.counts.resources),
              entitlements: String(s.counts.entitlements),
              grants: String(s.counts.grants),
            },
          });
          uploaded = true;
        },
      });
      const result: SyncResult = {
        syncId: summary.syncId,
        bucket: env.BUCKET,
        key: env.OBJECT_KEY,
        counts: summary.counts,
        bytes: summary.bytes,
        durationMs: Date.now() - started,
        dryRun,
        uploaded,
      };
      logger.info('sync succeeded', { ...result, trigger: trigger.kind, mode: summary.mode && redact(summary.mode, secretValues), apiRequests: summary.http.requests, apiRetries: summary.http.retries, apiThrottles: summary.http.throttles });
      publishRun(metrics, { ok: true, durationMs: result.durationMs, counts: result.counts, bytes: result.bytes, http: summary.http });
      return result;
    } catch (err) {
      const message = redact(oneLine(err), secretValues);
      logger.error('sync failed', { error: message, syncId, durationMs: Date.now() - started });
      publishRun(metrics, { ok: false, durationMs: Date.now() - started, counts, bytes, http });
      // A fresh Error: the original may carry secrets in its cause chain or stack.
      throw new Error(`${definition.name} sync failed: ${message}`);
    }
  };
}

async function ensureFreeSpace(dir: string, minMb: number): Promise<void> {
  const s = await statfs(dir);
  const freeMb = (s.bavail * s.bsize) / 1024 ** 2;
  if (freeMb < minMb) {
    throw new Error(`not enough free space in ${dir}: ${freeMb.toFixed(0)} MiB free, at least ${minMb} MiB needed (raise the function's ephemeral storage)`);
  }
}
