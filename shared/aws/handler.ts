// makeSyncHandler(connector): the whole Lambda, as a durable function. One execution is one sync:
//   begin   (step)  event → env → clean /tmp → take the lease → resume a young checkpoint or start
//   slice-N (step)  secret → engine until the invocation's deadline → checkpoint to S3, or finish:
//                   verified c1z → one upload that replaces <prefix>/<id>/sync.c1z → drop checkpoint
//   yield-N (wait)  so the next slice starts in a fresh invocation with a full budget
//   end / fail      release the lease, metrics, one summary line
// The live object changes only in the last slice's upload; every failure before it leaves the last
// good file as it was. Code outside steps is replayed on every invocation, so it only branches on
// step results: ids, clocks and I/O happen inside steps.
import { type DurableContext, withDurableExecution } from '@aws/durable-execution-sdk-js';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { ksuidTime } from '../c1z/ksuid.ts';
import type { Counts } from '../c1z/writer.ts';
import { errorCode, oneLine } from '../errors.ts';
import { HttpError } from '../http/errors.ts';
import { redact } from '../http/redact.ts';
import type { HttpClientOptions } from '../http/types.ts';
import { METRIC } from '../observability/names.ts';
import { createTelemetry, publishRun } from '../observability/telemetry.ts';
import { ConfigError } from '../sync/config.ts';
import { ConnectorError, type ConnectorDefinition } from '../sync/connector.ts';
import { CheckpointError, freshPlan, runSlice, type SlicePlan } from '../sync/run-sync.ts';
import { s3CheckpointStore } from './checkpoint-store.ts';
import { parseEvent } from './event.ts';
import { acquireLease, leaseKey, releaseLease } from './lease.ts';
import { loadConnectorConfig, SecretConfigError } from './secrets.ts';
import { UploadError, uploadC1z } from './upload.ts';
import { ensureFreeSpace, removeLeftovers } from './work-root.ts';

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
  slices: number;
}

export interface SkippedResult {
  skipped: string;
}

export interface HandlerDeps {
  s3?: S3Client;
  secrets?: SecretsManagerClient;
  env?: Record<string, string | undefined>;
  /** Tests: point the connector's HTTP at a simulator's clock. */
  httpOverrides?: Partial<HttpClientOptions>;
  /** Tests and benches: the slice's deadline (epoch ms) instead of the invocation's time left. */
  sliceDeadline?: () => number;
  /** Tests: upload tuning for checkpoints and the live file. */
  multipartThresholdBytes?: number;
}

/** What the begin step decided; small, as every step result is checkpointed. */
interface Begun {
  executionId: string;
  syncId: string;
  startedAt: number;
  resume: boolean;
  dryRun: boolean;
  trigger: string;
}

type SliceOutcome =
  | {
      done: false;
      syncId: string;
      startedAt: number;
      counts: Counts;
      queued: number;
      checkpointBytes: number;
      checkpointMs: number;
      requests: number;
      retries: number;
      throttles: number;
    }
  | { done: true; syncId: string; startedAt: number; counts: Counts; bytes: number; uploaded: boolean; requests: number; retries: number; throttles: number };

/** A slice failure as it crosses the step boundary: already one redacted line, with its retry verdict. */
class SliceFailure extends Error {
  constructor(message: string, transient: boolean) {
    super(message);
    this.name = transient ? 'TransientSliceFailure' : 'SliceFailure';
  }
}

/** Time kept back from the Lambda deadline for packing, verifying and uploading. */
function reserveMs(remaining: number): number {
  return Math.min(90_000, Math.max(3_000, remaining * 0.2));
}

export function parseEnv(env: Record<string, string | undefined>): HandlerEnv {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${env[String(i.path[0])] === undefined ? 'not set' : i.message}`);
  throw new Error(`function environment is invalid: ${problems.join('; ')}`);
}

/** Worth another attempt from the last checkpoint: outages, throttling, S3 hiccups. */
function isTransient(err: unknown): boolean {
  if (err instanceof ConnectorError || err instanceof ConfigError || err instanceof CheckpointError) return false;
  if (err instanceof SecretConfigError) return err.reason === 'aws-error';
  if (err instanceof HttpError) return err.kind === 'network' || err.kind === 'server' || err.kind === 'timeout' || err.kind === 'throttle';
  if (err instanceof UploadError) return err.httpStatus === undefined || err.httpStatus >= 500;
  const cause = (err as { cause?: unknown })?.cause;
  if (cause && cause !== err) return isTransient(cause);
  return ['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'SlowDown', 'InternalError', 'ServiceUnavailable'].includes(errorCode(err, ''));
}

export function makeSyncHandler<C>(definition: ConnectorDefinition<C>, deps: HandlerDeps = {}) {
  const rawEnv = () => deps.env ?? process.env;
  const instance = rawEnv().CONNECTOR_ID || definition.name;
  const { logger, metrics } = createTelemetry(definition.name, instance, rawEnv().POWERTOOLS_METRICS_NAMESPACE);
  // One client each per container: connections are reused across warm invocations.
  const s3 = deps.s3 ?? new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
  const secretsClient = deps.secrets ?? new SecretsManagerClient({});
  let secretValues: string[] = [];
  const clean = (err: unknown) => redact(oneLine(err), secretValues);
  const leaseOf = (env: HandlerEnv) => ({ client: s3, bucket: env.BUCKET, key: leaseKey(env.OBJECT_KEY) });
  const storeOf = (env: HandlerEnv) => s3CheckpointStore({ client: s3, bucket: env.BUCKET, objectKey: env.OBJECT_KEY, connector: instance });

  async function begin(event: unknown, executionId: string): Promise<Begun | SkippedResult> {
    const trigger = parseEvent(event);
    const env = parseEnv(rawEnv());
    const removed = await removeLeftovers(env.WORK_ROOT);
    if (removed.length > 0) logger.warn('removed work folders left by earlier runs', { removed });
    await ensureFreeSpace(env.WORK_ROOT, env.MIN_FREE_TMP_MB);

    const store = storeOf(env);
    const checkpoints = await store.list();
    const maxAgeMs = env.CHECKPOINT_MAX_AGE_HOURS * 3_600_000;
    const young = checkpoints.find((c) => Date.now() - c.savedAt <= maxAgeMs);
    const plan = young ? { syncId: young.syncId, startedAt: ksuidTime(young.syncId).getTime(), slice: 0, resume: true } : freshPlan();

    const now = Date.now();
    const lease = await acquireLease(leaseOf(env), {
      executionId,
      syncId: plan.syncId,
      since: new Date(now).toISOString(),
      expiresAt: new Date(now + env.MAX_SYNC_HOURS * 3_600_000).toISOString(),
    });
    if (!lease.acquired) {
      const skipped = `a sync is already running: ${lease.holder.syncId ?? lease.holder.executionId} since ${lease.holder.since}`;
      logger.info('sync skipped', { skipped, trigger: trigger.kind });
      metrics.addMetric(METRIC.skipped, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      return { skipped };
    }
    if (lease.tookOver) logger.warn('took over an expired sync lease', { previous: lease.tookOver });
    for (const c of checkpoints) {
      if (c.syncId === young?.syncId) continue;
      await store.remove(c.syncId);
      logger.info('discarded a stale checkpoint', { syncId: c.syncId, ageHours: Number(((Date.now() - c.savedAt) / 3_600_000).toFixed(2)) });
    }
    if (young) logger.info('resuming the sync from its checkpoint', { syncId: young.syncId, checkpointBytes: young.bytes });
    return {
      executionId,
      syncId: plan.syncId,
      startedAt: plan.startedAt,
      resume: plan.resume,
      dryRun: trigger.kind === 'manual' && trigger.dryRun,
      trigger: trigger.kind,
    };
  }

  async function slice(begun: Begun, plan: SlicePlan, deadline: number): Promise<SliceOutcome> {
    const env = parseEnv(rawEnv());
    try {
      const loaded = await loadConnectorConfig({
        client: secretsClient,
        secretId: env.SECRET_ID,
        schema: definition.configSchema,
        ttlMs: env.SECRET_TTL_SECONDS * 1000,
      });
      secretValues = loaded.secretValues;
      metrics.addMetric(METRIC.runningMinutes, MetricUnit.Count, Math.round((Date.now() - plan.startedAt) / 60_000));
      metrics.publishStoredMetrics();
      let uploaded = false;
      const options = {
        definition,
        config: loaded.config,
        secretValues,
        workRoot: env.WORK_ROOT,
        deadline,
        store: storeOf(env),
        concurrency: env.SYNC_CONCURRENCY,
        httpOverrides: deps.httpOverrides,
        log: (message: string, fields?: Record<string, unknown>) => logger.info(redact(message, secretValues), fields ?? {}),
        deliver: async (file: string, s: { syncId: string; counts: Counts }) => {
          if (begun.dryRun) return;
          await uploadC1z({
            client: s3,
            bucket: env.BUCKET,
            key: env.OBJECT_KEY,
            file,
            ...(deps.multipartThresholdBytes ? { multipartThresholdBytes: deps.multipartThresholdBytes } : {}),
            metadata: {
              connector: instance,
              'sync-id': s.syncId,
              'resource-types': String(s.counts.resourceTypes),
              resources: String(s.counts.resources),
              entitlements: String(s.counts.entitlements),
              grants: String(s.counts.grants),
            },
          });
          uploaded = true;
        },
      };
      let result;
      try {
        result = await runSlice(options, plan);
      } catch (err) {
        // A checkpoint that does not decode or is not this connector's is never trusted: drop it
        // and start over, once, at the first slice of a resumed sync.
        if (!(err instanceof CheckpointError) || plan.slice !== 0 || !plan.resume) throw err;
        logger.warn('discarded a checkpoint that cannot be resumed; starting a fresh sync', { syncId: plan.syncId, reason: clean(err) });
        await options.store.remove(plan.syncId);
        plan = freshPlan();
        result = await runSlice(options, plan);
      }
      if (result.done) {
        const s = result.summary;
        return {
          done: true,
          syncId: s.syncId,
          startedAt: plan.startedAt,
          counts: s.counts,
          bytes: s.bytes,
          uploaded,
          requests: s.http.requests,
          retries: s.http.retries,
          throttles: s.http.throttles,
        };
      }
      if (result.pagesDone === 0) {
        logger.warn('slice made no progress: not one page finished before its deadline', { syncId: result.syncId, slice: plan.slice, queued: result.queued });
        metrics.addMetric(METRIC.stalledSlices, MetricUnit.Count, 1);
        metrics.publishStoredMetrics();
      }
      return {
        done: false,
        syncId: result.syncId,
        startedAt: plan.startedAt,
        counts: result.counts,
        queued: result.queued,
        checkpointBytes: result.checkpointBytes,
        checkpointMs: result.checkpointMs,
        requests: result.http.requests,
        retries: result.http.retries,
        throttles: result.http.throttles,
      };
    } catch (err) {
      const transient = isTransient(err);
      logger.error('slice failed', { error: clean(err), syncId: plan.syncId, slice: plan.slice, transient });
      // A fresh Error: the original may carry secrets in its cause chain or stack.
      throw new SliceFailure(clean(err), transient);
    }
  }

  const run = async (event: unknown, ctx: StepContext): Promise<SyncResult | SkippedResult> => {
    const executionId = ctx.executionContext?.durableExecutionArn ?? 'local';
    // Not retried: a run that cannot start fails at once, loudly, and the next trigger tries again.
    const begun = await ctx.step(
      'begin',
      () =>
        begin(event, executionId).catch((err: unknown) => {
          const started = Date.now();
          logger.error('sync failed', { error: clean(err), stage: 'start' });
          publishRun(metrics, { ok: false, durationMs: Date.now() - started });
          return Promise.reject(new SliceFailure(`${instance} sync failed: ${clean(err)}`, false));
        }),
      { retryStrategy: () => ({ shouldRetry: false }) },
    );
    if ('skipped' in begun) return begun;
    const env = parseEnv(rawEnv());
    let plan: SlicePlan = { syncId: begun.syncId, startedAt: begun.startedAt, slice: 0, resume: begun.resume };
    const totals = { requests: 0, retries: 0, throttles: 0, checkpointBytes: 0, checkpointMs: 0 };
    let done: Extract<SliceOutcome, { done: true }> | undefined;
    try {
      while (!done) {
        if (plan.slice >= env.MAX_SLICES)
          throw new Error(`the sync did not finish in ${env.MAX_SLICES} slices (MAX_SLICES); is the function's timeout long enough for a page?`);
        const current = plan;
        const r = await ctx.step(
          `slice-${current.slice}`,
          async () => {
            const deadline = deps.sliceDeadline?.() ?? Date.now() + remainingOf(ctx) - reserveMs(remainingOf(ctx));
            return slice(begun, current, deadline);
          },
          {
            retryStrategy: (error, attempt) => ({
              shouldRetry: error.name === 'TransientSliceFailure' && attempt < env.SLICE_MAX_ATTEMPTS,
              delay: { seconds: env.SLICE_RETRY_SECONDS * 2 ** (attempt - 1) },
            }),
          },
        );
        totals.requests += r.requests;
        totals.retries += r.retries;
        totals.throttles += r.throttles;
        if (r.done) {
          done = r;
          plan = { ...plan, syncId: r.syncId, startedAt: r.startedAt };
          break;
        }
        totals.checkpointBytes = r.checkpointBytes;
        totals.checkpointMs += r.checkpointMs;
        plan = { syncId: r.syncId, startedAt: r.startedAt, slice: current.slice + 1, resume: true };
        await ctx.wait(`yield-${plan.slice}`, { seconds: env.SLICE_YIELD_SECONDS });
      }
    } catch (err) {
      const failedPlan = plan;
      const message = await ctx.step('fail', async () => {
        const text = clean(err);
        await releaseLease(leaseOf(env), begun.executionId).catch((e: unknown) => logger.error('releasing the sync lease failed', { error: clean(e) }));
        logger.error('sync failed', { error: text, syncId: failedPlan.syncId, slices: failedPlan.slice + 1, durationMs: Date.now() - failedPlan.startedAt });
        metrics.addMetric(METRIC.slices, MetricUnit.Count, failedPlan.slice + 1);
        publishRun(metrics, { ok: false, durationMs: Date.now() - failedPlan.startedAt, http: { ...totals, errors: 0, byRoute: {} } });
        return `${instance} sync failed: ${text}`;
      });
      throw new Error(message);
    }
    const finished = done;
    const slices = plan.slice + 1;
    return ctx.step('end', async () => {
      // The sync is delivered; a lease left behind expires on its own, so this is not a failure.
      await releaseLease(leaseOf(env), begun.executionId).catch((e: unknown) => logger.error('releasing the sync lease failed', { error: clean(e) }));
      const result: SyncResult = {
        syncId: finished.syncId,
        bucket: env.BUCKET,
        key: env.OBJECT_KEY,
        counts: finished.counts,
        bytes: finished.bytes,
        durationMs: Date.now() - finished.startedAt,
        dryRun: begun.dryRun,
        uploaded: finished.uploaded,
        slices,
      };
      logger.info('sync succeeded', {
        ...result,
        trigger: begun.trigger,
        apiRequests: totals.requests,
        apiRetries: totals.retries,
        apiThrottles: totals.throttles,
        checkpointMs: totals.checkpointMs,
      });
      metrics.addMetric(METRIC.slices, MetricUnit.Count, slices);
      if (slices > 1) {
        metrics.addMetric(METRIC.checkpointBytes, MetricUnit.Bytes, totals.checkpointBytes);
        metrics.addMetric(METRIC.checkpointMs, MetricUnit.Milliseconds, totals.checkpointMs);
      }
      publishRun(metrics, { ok: true, durationMs: result.durationMs, counts: result.counts, bytes: result.bytes, http: { ...totals, errors: 0, byRoute: {} } });
      return result;
    });
  };
  // `runInProcess`: the same steps in one process without the durable service (no retries, no
  // waits), for checking a bundle where the service cannot be reached (e.g. under emulation).
  return Object.assign(
    withDurableExecution((event: unknown, ctx: DurableContext) => run(event, ctx)),
    { runInProcess: (event: unknown) => run(event, inProcessContext()) },
  );
}

/** The part of DurableContext the handler uses. */
type StepContext = Pick<DurableContext, 'step' | 'wait' | 'lambdaContext' | 'executionContext'>;

function inProcessContext(): StepContext {
  return {
    step: ((_name: string, fn: () => Promise<unknown>) => fn()) as unknown as StepContext['step'],
    wait: (async () => undefined) as unknown as StepContext['wait'],
    lambdaContext: { getRemainingTimeInMillis: () => 900_000 } as StepContext['lambdaContext'],
    executionContext: { durableExecutionArn: `in-process-${Date.now()}` },
  };
}

function remainingOf(ctx: StepContext): number {
  return ctx.lambdaContext?.getRemainingTimeInMillis?.() ?? 900_000;
}
