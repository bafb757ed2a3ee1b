// The life of one sync, whoever runs it (the Lambda's durable steps, the CLI, the benchmarks):
//   begin   clean the work root, take the lease, resume a young checkpoint or start a fresh sync
//   slice   the engine until the slice's budget is spent → a checkpoint, or the finished sync:
//           a verified c1z handed to the delivery (e.g. the upload that replaces the live file)
//   finish  release the lease, the run's metrics and its one summary line
//   fail    the same for a run that cannot go on: one redacted line, SyncFailed, lease released
// Every method takes and returns a SyncRun: small JSON, so a durable step can checkpoint it, and
// the one record of the run from start to end. Everything outside the sync's own mechanics is a
// port: checkpoint store, lease, delivery, clock, telemetry.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isKsuid, ksuidTime } from '../c1z/ksuid.ts';
import type { Counts } from '../c1z/writer.ts';
import { isRetryable, oneLine } from '../errors.ts';
import { redact } from '../http/redact.ts';
import type { HttpOverrides } from '../http/types.ts';
import type { Telemetry } from '../observability/telemetry.ts';
import type { SliceBudget } from './budget.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import type { ConnectorDefinition } from './connector.ts';
import type { Progress } from './engine.ts';
import { CheckpointError, fileDelivery, freshPlan, type RunSyncOptions, runSlice, type SlicePlan, type SliceResult, type SyncSummary } from './run-sync.ts';
import { ensureFreeSpace, removeLeftovers } from './work-root.ts';

/** The run as it stands after each step; the same type from begin to finish. */
export interface SyncRun {
  executionId: string;
  syncId: string;
  /** Epoch ms the sync began (its KSUID's time when resumed from a checkpoint). */
  startedAt: number;
  trigger: string;
  dryRun: boolean;
  /** Slices run so far. */
  slices: number;
  /** The next slice restores the checkpoint of `syncId`. */
  resume: boolean;
  done: boolean;
  counts: Counts;
  /** Size of the finished c1z (0 until done). */
  bytes: number;
  uploaded: boolean;
  durationMs: number;
  apiRequests: number;
  apiRetries: number;
  apiThrottles: number;
  /** Size of the last checkpoint, and the time every checkpoint and restore took in all. */
  checkpointBytes: number;
  checkpointMs: number;
}

export interface Skipped {
  skipped: string;
}

export interface LeaseHolder {
  executionId: string;
  syncId?: string;
  since: string;
  expiresAt: string;
}

export type LeaseOutcome = { acquired: true; holder: LeaseHolder; tookOver?: LeaseHolder } | { acquired: false; holder: LeaseHolder };

/** One sync per connector instance at a time. */
export interface LeasePort {
  acquire(holder: LeaseHolder): Promise<LeaseOutcome>;
  /** Releases it if `executionId` still holds it. */
  release(executionId: string): Promise<boolean>;
}

/**
 * Takes the finished, verified c1z while it is still in the work folder (upload, move, …), with
 * the sync database it was packed from (to compare the sync with the previous one in place).
 */
export interface Delivery {
  deliver(file: string, summary: SyncSummary, database: string): Promise<void>;
}

export interface LifecyclePorts<C> {
  definition: ConnectorDefinition<C>;
  /** The connector's config and its secret values, asked for at every slice (a secret may rotate). */
  config(): Promise<{ config: C; secretValues: string[] }>;
  store: CheckpointStore;
  lease?: LeasePort;
  delivery: Delivery;
  /** Epoch ms: checkpoint ages, lease times, durations. */
  now(): number;
  telemetry: Telemetry;
  /** Parent of the per-sync work folders; folders earlier runs left in it are removed at begin. */
  workRoot: string;
  /** Refuse to start with less free space than this in the work root. */
  minFreeMb?: number;
  /** A checkpoint older than this is discarded and the sync starts over. */
  checkpointMaxAgeMs: number;
  /** How long the lease holds without being released. */
  leaseMs: number;
  maxSlices: number;
  concurrency?: number;
  httpOverrides?: HttpOverrides;
  onProgress?: (p: Progress) => void;
}

/** A failure as it leaves a step: one redacted line, and whether another attempt may succeed. */
export class SyncFailure extends Error {
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
    // The name survives a durable step's serialisation, the property does not.
    this.name = retryable ? 'RetryableSyncFailure' : 'SyncFailure';
  }
}

export class SyncLifecycle<C> {
  private readonly ports: LifecyclePorts<C>;
  private secretValues: string[] = [];

  constructor(ports: LifecyclePorts<C>) {
    this.ports = ports;
  }

  /** One redacted line, whatever `err` is. */
  clean(err: unknown): string {
    return redact(oneLine(err), this.secretValues);
  }

  async begin(start: { executionId: string; trigger: string; dryRun?: boolean }): Promise<SyncRun | Skipped> {
    const { store, telemetry } = this.ports;
    const began = this.ports.now();
    try {
      const removed = await removeLeftovers(this.ports.workRoot);
      if (removed.length > 0) telemetry.warn('removed work folders left by earlier runs', { removed });
      if (this.ports.minFreeMb !== undefined) await ensureFreeSpace(this.ports.workRoot, this.ports.minFreeMb);

      const checkpoints = (await store.list()).filter((c) => {
        // Only ever a KSUID: it names the work folder, which is removed with everything in it.
        if (isKsuid(c.syncId)) return true;
        telemetry.warn('ignored a checkpoint whose sync id is not a KSUID', { syncId: c.syncId, where: store.where });
        return false;
      });
      const now = this.ports.now();
      const young = checkpoints.find((c) => now - c.savedAt <= this.ports.checkpointMaxAgeMs);
      const plan = young ? { syncId: young.syncId, startedAt: ksuidTime(young.syncId).getTime() } : freshPlan(now);
      const lease = await this.ports.lease?.acquire({
        executionId: start.executionId,
        syncId: plan.syncId,
        since: new Date(now).toISOString(),
        expiresAt: new Date(now + this.ports.leaseMs).toISOString(),
      });
      if (lease && !lease.acquired) {
        const holder = this.ksuidOrNothing(lease.holder.syncId, 'lease') ?? lease.holder.executionId;
        const skipped = `a sync is already running: ${holder} since ${lease.holder.since}`;
        telemetry.info('sync skipped', { skipped, trigger: start.trigger });
        telemetry.metric('skipped', 'Count', 1);
        telemetry.publish();
        return { skipped };
      }
      if (lease?.tookOver) telemetry.warn('took over an expired sync lease', { previous: lease.tookOver });
      for (const c of checkpoints) {
        if (c.syncId === young?.syncId) continue;
        await store.remove(c.syncId);
        telemetry.info('discarded a stale checkpoint', { syncId: c.syncId, ageHours: Number(((now - c.savedAt) / 3_600_000).toFixed(2)) });
      }
      if (young) telemetry.info('resuming the sync from its checkpoint', { syncId: young.syncId, checkpointBytes: young.bytes });
      return {
        executionId: start.executionId,
        syncId: plan.syncId,
        startedAt: plan.startedAt,
        trigger: start.trigger,
        dryRun: start.dryRun ?? false,
        slices: 0,
        resume: young !== undefined,
        done: false,
        counts: { resourceTypes: 0, resources: 0, entitlements: 0, grants: 0 },
        bytes: 0,
        uploaded: false,
        durationMs: 0,
        apiRequests: 0,
        apiRetries: 0,
        apiThrottles: 0,
        checkpointBytes: 0,
        checkpointMs: 0,
      };
    } catch (err) {
      // Nothing is held yet (no lease, no work folder): the run cannot start, and says so once.
      const message = `${this.ports.definition.name} sync failed: ${this.clean(err)}`;
      telemetry.error('sync failed', { error: this.clean(err), stage: 'start' });
      this.publishRun(false, this.ports.now() - began);
      throw new SyncFailure(message, false);
    }
  }

  /** Runs the next slice of `run`; throws SyncFailure (logged, redacted) when it cannot. */
  async slice(run: SyncRun, budget: SliceBudget): Promise<SyncRun> {
    const { definition, telemetry } = this.ports;
    try {
      if (run.slices >= this.ports.maxSlices) {
        throw new Error(`the sync did not finish in ${this.ports.maxSlices} slices (MAX_SLICES); is the function's timeout long enough for a page?`);
      }
      const { config, secretValues } = await this.ports.config();
      this.secretValues = secretValues;
      telemetry.metric('runningMinutes', 'Count', Math.round((this.ports.now() - run.startedAt) / 60_000));
      telemetry.publish();
      const options = {
        definition,
        config,
        secretValues,
        workRoot: this.ports.workRoot,
        budget,
        store: this.ports.store,
        concurrency: this.ports.concurrency,
        httpOverrides: this.ports.httpOverrides,
        onProgress: this.ports.onProgress,
        log: (message: string, fields?: Record<string, unknown>) => telemetry.info(redact(message, secretValues), fields ?? {}),
        deliver: run.dryRun ? undefined : (file: string, summary: SyncSummary, database: string) => this.ports.delivery.deliver(file, summary, database),
      };
      let plan: SlicePlan = { syncId: run.syncId, startedAt: run.startedAt, slice: run.slices, resume: run.resume };
      let result: SliceResult;
      try {
        result = await runSlice(options, plan);
      } catch (err) {
        // A checkpoint that does not decode or is not this connector's is never trusted: it is
        // dropped and the sync starts over, once, at the first slice of a resumed run. Later, a
        // checkpoint this run wrote itself failing is a fault, not a reason to start again.
        if (!(err instanceof CheckpointError) || run.slices !== 0 || !run.resume) throw err;
        telemetry.warn('discarded a checkpoint that cannot be resumed; starting a fresh sync', { syncId: run.syncId, reason: this.clean(err) });
        await this.ports.store.remove(run.syncId);
        plan = freshPlan(this.ports.now());
        result = await runSlice(options, plan);
      }
      if (!result.done && result.pagesDone === 0) {
        telemetry.warn('slice made no progress: not one page finished before its budget ran out', {
          syncId: plan.syncId,
          slice: plan.slice,
          queued: result.queued,
        });
        telemetry.metric('stalledSlices', 'Count', 1);
        telemetry.publish();
      }
      return this.fold(run, plan, result);
    } catch (err) {
      const retryable = isRetryable(err);
      telemetry.error('slice failed', { error: this.clean(err), syncId: run.syncId, slice: run.slices, transient: retryable });
      // A fresh error: the original may carry secrets in its cause chain or stack.
      throw new SyncFailure(this.clean(err), retryable);
    }
  }

  /** The delivered run: lease released, metrics, the summary line. */
  async finish(run: SyncRun): Promise<SyncRun> {
    const { telemetry } = this.ports;
    // The sync is delivered; a lease left behind expires on its own, so this is not a failure.
    await this.releaseLease(run);
    const done: SyncRun = { ...run, durationMs: this.ports.now() - run.startedAt };
    telemetry.info('sync succeeded', { ...done });
    telemetry.metric('slices', 'Count', done.slices);
    if (done.slices > 1) {
      telemetry.metric('checkpointBytes', 'Bytes', done.checkpointBytes);
      telemetry.metric('checkpointMs', 'Milliseconds', done.checkpointMs);
    }
    this.publishRun(true, done.durationMs, done);
    return done;
  }

  /** A run that cannot go on (its checkpoint stays for the next run): returns the run's one error line. */
  async fail(run: SyncRun, err: unknown): Promise<string> {
    const text = err instanceof SyncFailure ? err.message : this.clean(err);
    await this.releaseLease(run);
    // A database kept for the next slice (see runSlice) has no next slice now.
    if (isKsuid(run.syncId)) await rm(join(this.ports.workRoot, run.syncId), { recursive: true, force: true }).catch(() => undefined);
    const durationMs = this.ports.now() - run.startedAt;
    this.ports.telemetry.error('sync failed', { error: text, syncId: run.syncId, slices: run.slices + 1, durationMs });
    this.ports.telemetry.metric('slices', 'Count', run.slices + 1);
    this.publishRun(false, durationMs, run);
    return `${this.ports.definition.name} sync failed: ${text}`;
  }

  private ksuidOrNothing(syncId: string | undefined, source: string): string | undefined {
    if (syncId === undefined || isKsuid(syncId)) return syncId;
    this.ports.telemetry.warn('ignored a sync id that is not a KSUID', { syncId, source });
    return undefined;
  }

  private fold(run: SyncRun, plan: SlicePlan, r: SliceResult): SyncRun {
    const next: SyncRun = {
      ...run,
      syncId: plan.syncId,
      startedAt: plan.startedAt,
      slices: plan.slice + 1,
      resume: true,
      done: r.done,
      counts: r.counts,
      apiRequests: run.apiRequests + r.http.requests,
      apiRetries: run.apiRetries + r.http.retries,
      apiThrottles: run.apiThrottles + r.http.throttles,
      checkpointMs: run.checkpointMs + r.restoreMs + r.checkpointMs,
      checkpointBytes: r.checkpointBytes || run.checkpointBytes,
    };
    if (r.done) Object.assign(next, { bytes: r.summary.bytes, uploaded: !run.dryRun, resume: false });
    return next;
  }

  private async releaseLease(run: SyncRun): Promise<void> {
    await this.ports.lease
      ?.release(run.executionId)
      .catch((e: unknown) => this.ports.telemetry.error('releasing the sync lease failed', { error: this.clean(e) }));
  }

  private publishRun(ok: boolean, durationMs: number, run?: SyncRun): void {
    const { telemetry } = this.ports;
    telemetry.metric(ok ? 'succeeded' : 'failed', 'Count', 1);
    telemetry.metric(ok ? 'failed' : 'succeeded', 'Count', 0);
    telemetry.metric('durationMs', 'Milliseconds', durationMs);
    if (run && ok) {
      telemetry.metric('resourceTypes', 'Count', run.counts.resourceTypes);
      telemetry.metric('resources', 'Count', run.counts.resources);
      telemetry.metric('entitlements', 'Count', run.counts.entitlements);
      telemetry.metric('grants', 'Count', run.counts.grants);
      telemetry.metric('c1zBytes', 'Bytes', run.bytes);
    }
    if (run) {
      telemetry.metric('apiRequests', 'Count', run.apiRequests);
      telemetry.metric('apiRetries', 'Count', run.apiRetries);
      telemetry.metric('apiThrottles', 'Count', run.apiThrottles);
    }
    telemetry.publish();
  }
}

/**
 * A whole run in this process, each slice on a fresh budget: the CLI's `--slice-seconds`, the
 * benchmarks, and the handler's `runInProcess`. No retries: a failed slice fails the run.
 */
export async function runInProcess<C>(
  lifecycle: SyncLifecycle<C>,
  start: { executionId: string; trigger: string; dryRun?: boolean },
  budget: () => SliceBudget,
  onSlice?: (run: SyncRun) => void,
): Promise<SyncRun | Skipped> {
  const begun = await lifecycle.begin(start);
  if ('skipped' in begun) return begun;
  let run = begun;
  try {
    while (!run.done) {
      run = await lifecycle.slice(run, budget());
      onSlice?.(run);
    }
  } catch (err) {
    throw new SyncFailure(await lifecycle.fail(run, err), false);
  }
  return lifecycle.finish(run);
}

/** Telemetry for a run on this machine: its lines go to `log` (if any), its metrics nowhere. */
export function localTelemetry(log?: (message: string, fields?: Record<string, unknown>) => void): Telemetry {
  return {
    info: (m, f) => log?.(m, f),
    warn: (m, f) => log?.(m, f),
    error: () => undefined,
    metric: () => undefined,
    publish: () => undefined,
    publishWith: () => undefined,
  };
}

/**
 * A sync as slices in this process (the CLI's `--slice-seconds`, the benchmarks), checkpointing
 * to `store` between them, each slice on a fresh budget; no lease.
 */
export async function runSlicedSync<C>(
  options: RunSyncOptions<C> & { store: CheckpointStore; sliceBudget: () => SliceBudget; onSlice?: (run: SyncRun) => void },
): Promise<SyncSummary & { slices: number }> {
  let summary: SyncSummary | undefined;
  const lifecycle = new SyncLifecycle({
    definition: options.definition,
    config: async () => ({ config: options.config, secretValues: options.secretValues ?? [] }),
    store: options.store,
    delivery: {
      async deliver(file, s, database) {
        summary = s;
        await options.deliver?.(file, s, database);
        if (options.out) await fileDelivery(options.out).deliver(file, s);
      },
    },
    now: Date.now,
    telemetry: localTelemetry(options.log),
    workRoot: options.workRoot,
    checkpointMaxAgeMs: Number.POSITIVE_INFINITY,
    leaseMs: 0,
    maxSlices: Number.POSITIVE_INFINITY,
    concurrency: options.concurrency,
    httpOverrides: options.httpOverrides,
    onProgress: options.onProgress,
  });
  const run = await runInProcess(lifecycle, { executionId: 'local', trigger: 'local' }, options.sliceBudget, options.onSlice);
  if ('skipped' in run || !summary) throw new Error('unreachable: a run without a lease is never skipped');
  const http = { ...summary.http, requests: run.apiRequests, retries: run.apiRetries, throttles: run.apiThrottles };
  return { ...summary, http, durationMs: run.durationMs, slices: run.slices };
}
