// makeSyncHandler(connector): the Lambda, as a durable function over the sync lifecycle
// (shared/sync/lifecycle.ts). One execution is one sync: `begin`, then `slice-N` steps separated by
// `yield-N` waits (so each slice starts in a fresh invocation with a full budget), then `end` or
// `fail`. This file only adapts: the environment, the AWS clients behind the lifecycle's ports, and
// steps. Code outside steps is replayed on every invocation, so it only branches on step results.

import { type DurableContext, withDurableExecution } from '@aws/durable-execution-sdk-js';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { HttpOverrides } from '../http/types.ts';
import { createTelemetry, powertoolsTelemetry } from '../observability/telemetry.ts';
import { deadlineBudget, type SliceBudget } from '../sync/budget.ts';
import type { ConnectorDefinition } from '../sync/connector.ts';
import { runInProcess, type Skipped, SyncFailure, SyncLifecycle, type SyncRun } from '../sync/lifecycle.ts';
import { layoutOf } from './bucket-layout.ts';
import { s3CheckpointStore } from './checkpoint-store.ts';
import { parseEvent } from './event.ts';
import { type AcceptedResult, type ShrinkGuardWiring, shrinkGuardOf } from './guarded-delivery.ts';
import { type HandlerEnv, parseEnv } from './handler-env.ts';
import { s3Lease } from './lease.ts';
import { loadConnectorConfig } from './secrets.ts';

/** What an execution returns: the finished run and where it went. */
export type SyncResult = SyncRun & { bucket: string; key: string };
export type SkippedResult = Skipped;
export type { AcceptedResult };

export interface HandlerDeps {
  s3?: S3Client;
  secrets?: SecretsManagerClient;
  env?: Record<string, string | undefined>;
  /** Tests: point the connector's HTTP at a simulator's clock. */
  httpOverrides?: HttpOverrides;
  /** Tests: each slice's budget instead of the invocation's time left. */
  sliceBudget?: () => SliceBudget;
  /** Tests: the clock checkpoint ages and lease times are read on (epoch ms). */
  now?: () => number;
  /** Tests: upload tuning for checkpoints and the live file. */
  multipartThresholdBytes?: number;
}

/** Time kept back from the Lambda deadline for packing, verifying and uploading. */
function reserveMs(remaining: number): number {
  return Math.min(90_000, Math.max(3_000, remaining * 0.2));
}

export function makeSyncHandler<C>(definition: ConnectorDefinition<C>, deps: HandlerDeps = {}) {
  const rawEnv = deps.env ?? process.env;
  const instance = rawEnv.CONNECTOR_ID || definition.name;
  const telemetry = powertoolsTelemetry(createTelemetry(definition.name, instance, rawEnv.POWERTOOLS_METRICS_NAMESPACE));
  // One client each per container: connections are reused across warm invocations.
  const s3 = deps.s3 ?? new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
  const secrets = deps.secrets ?? new SecretsManagerClient({});
  let built: { env: HandlerEnv; lifecycle: SyncLifecycle<C>; accept: ShrinkGuardWiring['accept'] } | undefined;

  /** Parsed once per container, inside the begin step, so a bad environment fails the run loudly. */
  const setUp = () => {
    if (built) return built;
    const env = parseEnv(rawEnv);
    const layout = layoutOf(env.OBJECT_KEY);
    const upload = deps.multipartThresholdBytes ? { multipartThresholdBytes: deps.multipartThresholdBytes } : {};
    const store = s3CheckpointStore({ client: s3, bucket: env.BUCKET, objectKey: env.OBJECT_KEY, connector: instance });
    const lease = s3Lease({ client: s3, bucket: env.BUCKET, key: layout.lease });
    const guard = shrinkGuardOf(env, { client: s3, instance, store, lease, now: deps.now ?? Date.now, telemetry, ...upload });
    const lifecycle = new SyncLifecycle({
      definition,
      config: () => loadConnectorConfig({ client: secrets, secretId: env.SECRET_ID, schema: definition.configSchema, ttlMs: env.SECRET_TTL_SECONDS * 1000 }),
      store,
      lease,
      delivery: guard.delivery,
      now: deps.now ?? Date.now,
      telemetry,
      workRoot: env.WORK_ROOT,
      minFreeMb: env.MIN_FREE_TMP_MB,
      checkpointMaxAgeMs: env.CHECKPOINT_MAX_AGE_HOURS * 3_600_000,
      leaseMs: env.MAX_SYNC_HOURS * 3_600_000,
      maxSlices: env.MAX_SLICES,
      concurrency: env.SYNC_CONCURRENCY,
      httpOverrides: deps.httpOverrides,
    });
    built = { env, lifecycle, accept: guard.accept };
    return built;
  };
  const acceptShrink = (executionId: string) => setUp().accept(executionId);
  const begin = async (event: unknown, executionId: string) => {
    try {
      const trigger = parseEvent(event);
      if (trigger.kind === 'accept-shrink') return await acceptShrink(executionId);
      return await setUp().lifecycle.begin({ executionId, trigger: trigger.kind, dryRun: trigger.kind === 'manual' && trigger.dryRun });
    } catch (err) {
      if (err instanceof SyncFailure) throw err;
      // The event or the environment is wrong: nothing started, and nothing is retried.
      telemetry.error('sync failed', { error: String((err as Error).message), stage: 'start' });
      telemetry.metric('failed', 'Count', 1);
      telemetry.publish();
      throw new SyncFailure(`${instance} sync failed: ${(err as Error).message}`, false);
    }
  };
  const budgetOf = (ctx: StepContext) => {
    const remaining = ctx.lambdaContext?.getRemainingTimeInMillis?.() ?? 900_000;
    return deps.sliceBudget?.() ?? deadlineBudget(Date.now() + remaining - reserveMs(remaining));
  };
  const withTarget = (run: SyncRun): SyncResult => ({ ...run, bucket: built!.env.BUCKET, key: built!.env.OBJECT_KEY });

  const run = async (event: unknown, ctx: StepContext): Promise<SyncResult | SkippedResult | AcceptedResult> => {
    const executionId = ctx.executionContext?.durableExecutionArn ?? 'local';
    // Not retried: a run that cannot start fails at once, loudly, and the next trigger tries again.
    let current = await ctx.step('begin', () => begin(event, executionId), { retryStrategy: () => ({ shouldRetry: false }) });
    if ('skipped' in current || 'accepted' in current) return current;
    const { env, lifecycle } = setUp();
    try {
      while (!current.done) {
        const from: SyncRun = current;
        current = await ctx.step(`slice-${from.slices}`, () => lifecycle.slice(from, budgetOf(ctx)), {
          retryStrategy: (error, attempt) => ({
            shouldRetry: error.name === 'RetryableSyncFailure' && attempt < env.SLICE_MAX_ATTEMPTS,
            delay: { seconds: env.SLICE_RETRY_SECONDS * 2 ** (attempt - 1) },
          }),
        });
        if (!current.done) await ctx.wait(`yield-${current.slices}`, { seconds: env.SLICE_YIELD_SECONDS });
      }
    } catch (err) {
      const failed = current;
      throw new Error(await ctx.step('fail', () => lifecycle.fail(failed, err)));
    }
    const finished = current;
    return withTarget(await ctx.step('end', () => lifecycle.finish(finished)));
  };
  // `runInProcess`: the same lifecycle in one process without the durable service (no retries, no
  // waits), for checking a bundle where the service cannot be reached (e.g. under emulation).
  return Object.assign(
    withDurableExecution((event: unknown, ctx: DurableContext) => run(event, ctx)),
    {
      runInProcess: async (event: unknown): Promise<SyncResult | SkippedResult | AcceptedResult> => {
        const trigger = parseEvent(event);
        if (trigger.kind === 'accept-shrink') return acceptShrink(`in-process-${Date.now()}`);
        const { lifecycle } = setUp();
        const start = { executionId: `in-process-${Date.now()}`, trigger: trigger.kind, dryRun: trigger.kind === 'manual' && trigger.dryRun };
        const done = await runInProcess(lifecycle, start, () => deps.sliceBudget?.() ?? deadlineBudget(Date.now() + 900_000 - reserveMs(900_000)));
        return 'skipped' in done ? done : withTarget(done);
      },
    },
  );
}

/** The part of DurableContext the handler uses. */
type StepContext = Pick<DurableContext, 'step' | 'wait' | 'lambdaContext' | 'executionContext'>;
