// The live file's last gate: before a finished sync replaces `sync.c1z`, it is compared with the
// file it replaces. A shrink past the policy goes to quarantine instead and fails the run; every
// delivery publishes the drift (what was added and removed, per resource type).

import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DRIFT_KINDS, type Drift, type DriftKind, describeDrift, type KindChanges } from '../c1z/drift.ts';
import { newKsuid } from '../c1z/ksuid.ts';
import { C1zReader, openC1z } from '../c1z/reader.ts';
import { oneLine } from '../errors.ts';
import { RESOURCE_TYPE_DIMENSION } from '../observability/names.ts';
import type { MetricName, Telemetry } from '../observability/telemetry.ts';
import type { CheckpointStore } from '../sync/checkpoint-store.ts';
import { compareSyncs, type SyncComparison } from '../sync/compare-syncs.ts';
import type { Delivery, LeasePort, Skipped } from '../sync/lifecycle.ts';
import { describeShrinks, type ShrinkPolicy } from '../sync/shrink-guard.ts';
import { layoutOf } from './bucket-layout.ts';
import type { HandlerEnv } from './handler-env.ts';
import { discardQuarantined, liveMetadata, type Promoted, promoteQuarantined, quarantineC1z } from './quarantine.ts';
import { downloadToFile } from './s3-object.ts';
import { uploadC1z } from './upload.ts';

/** The run failed on purpose: the new sync would remove too much of the org. Never retried. */
export class ShrinkBlockedError extends Error {
  override name = 'ShrinkBlockedError';
  readonly retryable = false;
}

export interface GuardedDeliveryOptions {
  client: S3Client;
  bucket: string;
  key: string;
  /** For the message: which instance, and how to accept. */
  instance: string;
  policy: ShrinkPolicy;
  drift: boolean;
  sampleSize: number;
  metadata: Record<string, string>;
  multipartThresholdBytes?: number;
  telemetry: Telemetry;
}

export interface Delivered {
  /** Absent on a first sync, or when the live file could not be read. */
  comparison?: SyncComparison;
}

export interface ShrinkGuardWiring {
  /** Replaces the live file behind the guard and drift. */
  delivery: Delivery;
  /** `{"acceptShrink": true}` under this execution's id. */
  accept(executionId: string): Promise<AcceptedResult | Skipped>;
}

/** The shrink guard as the function's environment configures it: the delivery and the accept path. */
export function shrinkGuardOf(
  env: HandlerEnv,
  o: {
    client: S3Client;
    instance: string;
    store: Pick<CheckpointStore, 'remove'>;
    lease: LeasePort;
    now: () => number;
    telemetry: Telemetry;
    multipartThresholdBytes?: number;
  },
): ShrinkGuardWiring {
  const { store, lease, now, ...shared } = o;
  const policy = {
    enabled: env.SHRINK_GUARD === 'on',
    maxPrincipalDropPercent: env.SHRINK_MAX_PRINCIPAL_DROP_PERCENT,
    maxGrantDropPercent: env.SHRINK_MAX_GRANT_DROP_PERCENT,
  };
  const guarded = { ...shared, bucket: env.BUCKET, key: layoutOf(env.OBJECT_KEY).live, policy, drift: env.DRIFT === 'on', sampleSize: env.DRIFT_SAMPLE_IDS };
  return {
    delivery: guardedDelivery({ ...guarded, store }),
    accept: (executionId) =>
      acceptHeldSync({
        ...shared,
        bucket: env.BUCKET,
        objectKey: env.OBJECT_KEY,
        lease,
        executionId,
        leaseMs: env.MAX_SYNC_HOURS * 3_600_000,
        now,
        workRoot: env.WORK_ROOT,
      }),
  };
}

/**
 * The lifecycle's delivery: the guard and drift stand before the upload that replaces the live
 * file. A held file is the sync's outcome, so its checkpoint goes: the next run syncs afresh.
 */
function guardedDelivery(o: Omit<GuardedDeliveryOptions, 'metadata'> & { store: Pick<CheckpointStore, 'remove'> }): Delivery {
  const { store, ...options } = o;
  return {
    async deliver(file, s, database) {
      await deliverGuarded(file, database, s.syncId, { ...options, metadata: liveMetadata(o.instance, s.syncId, s.counts) }).catch(async (err: unknown) => {
        if (err instanceof ShrinkBlockedError) await store.remove(s.syncId);
        throw err;
      });
    },
  };
}

/** `{"acceptShrink": true}`: the sync the shrink guard held back became the live file. */
export interface AcceptedResult {
  accepted: Promoted;
}

interface AcceptOptions {
  client: S3Client;
  bucket: string;
  objectKey: string;
  lease: LeasePort;
  executionId: string;
  /** How long the lease is held at most (a sync's own limit). */
  leaseMs: number;
  now: () => number;
  /** Parent of the work folder the held file is verified in. */
  workRoot: string;
  multipartThresholdBytes?: number;
  telemetry: Telemetry;
}

/** Promotes the held sync under the lease, so it cannot race a sync replacing the same file. */
async function acceptHeldSync(o: AcceptOptions): Promise<AcceptedResult | Skipped> {
  const now = o.now();
  const held = await o.lease.acquire({ executionId: o.executionId, since: new Date(now).toISOString(), expiresAt: new Date(now + o.leaseMs).toISOString() });
  if (!held.acquired)
    return { skipped: `a sync is already running: ${held.holder.syncId ?? held.holder.executionId} since ${held.holder.since}; accept after it ends` };
  // A KSUID-named folder: if the run is killed, the next one's clean-up removes it like a sync's.
  const workDir = join(o.workRoot, newKsuid());
  await mkdir(workDir, { recursive: true });
  try {
    const upload = o.multipartThresholdBytes ? { multipartThresholdBytes: o.multipartThresholdBytes } : {};
    const accepted = await promoteQuarantined({ client: o.client, bucket: o.bucket, objectKey: o.objectKey, workDir, ...upload });
    o.telemetry.info('accepted the held sync: it is the live file now', { ...accepted });
    o.telemetry.metric('shrinkAccepted', 'Count', 1);
    o.telemetry.publish();
    return { accepted };
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await o.lease.release(o.executionId).catch((e: unknown) => o.telemetry.error('releasing the sync lease failed', { error: String((e as Error).message) }));
  }
}

/**
 * `file` is the verified c1z, `dbPath` the sync database it was packed from (read in place, so the
 * new sync is not decoded a second time). The live file is downloaded beside them and removed after.
 */
export async function deliverGuarded(file: string, dbPath: string, syncId: string, o: GuardedDeliveryOptions): Promise<Delivered> {
  const comparison = await compareWithLive(file, dbPath, syncId, o);
  if (comparison?.drift) publishDrift(o, comparison.drift);
  const verdict = comparison?.verdict;
  o.telemetry.metric('shrinkBlocked', 'Count', verdict?.blocked ? 1 : 0);
  o.telemetry.publish();
  if (verdict?.blocked) {
    const shrank = describeShrinks(verdict.shrinks);
    const held = await quarantineC1z({ ...o, objectKey: o.key, file, reason: shrank });
    throw new ShrinkBlockedError(
      `the shrink guard held sync ${syncId} back: ${shrank}; s3://${o.bucket}/${o.key} is unchanged and the new file is at s3://${o.bucket}/${held.key}. ` +
        `If the org really shrank, accept it: invoke the function with {"acceptShrink": true} (or baton-serverless accept-shrink --bucket ${o.bucket} --key ${o.key})`,
    );
  }
  await uploadC1z({
    client: o.client,
    bucket: o.bucket,
    key: o.key,
    file,
    metadata: o.metadata,
    ...(o.multipartThresholdBytes ? { multipartThresholdBytes: o.multipartThresholdBytes } : {}),
  });
  // A sync held earlier is older than the one just delivered: it must not be promotable any more.
  await discardQuarantined(o.client, o.bucket, o.key);
  return comparison ? { comparison } : {};
}

async function compareWithLive(file: string, dbPath: string, syncId: string, o: GuardedDeliveryOptions): Promise<SyncComparison | undefined> {
  if (!o.policy.enabled && !o.drift) return undefined;
  const work = dirname(file);
  const previousFile = join(work, 'previous.c1z');
  try {
    if (!(await downloadToFile(o.client, o.bucket, o.key, previousFile))) {
      o.telemetry.info('first sync of this instance: nothing to compare with', { key: o.key });
      return undefined;
    }
    let previous: C1zReader;
    try {
      previous = await openC1z(previousFile, { tmpDir: work });
    } catch (err) {
      // Replacing an unreadable file can only help; say so rather than block on it.
      o.telemetry.warn('the live file cannot be read, so the new sync is not compared with it', { key: o.key, reason: oneLine(err) });
      return undefined;
    }
    const next = C1zReader.openDatabase(dbPath, { syncId });
    try {
      return compareSyncs(previous, next, { policy: o.policy, drift: o.drift, sampleSize: o.sampleSize });
    } finally {
      next.close();
      previous.close();
    }
  } finally {
    await rm(previousFile, { force: true });
  }
}

const DRIFT_METRICS: Record<DriftKind, { added: MetricName; removed: MetricName }> = {
  resources: { added: 'driftResourcesAdded', removed: 'driftResourcesRemoved' },
  entitlements: { added: 'driftEntitlementsAdded', removed: 'driftEntitlementsRemoved' },
  grants: { added: 'driftGrantsAdded', removed: 'driftGrantsRemoved' },
};

const countsOf = (changes: KindChanges): [MetricName, number][] =>
  DRIFT_KINDS.flatMap((k) => [
    [DRIFT_METRICS[k].added, changes[k].added],
    [DRIFT_METRICS[k].removed, changes[k].removed],
  ]);

/** One log line (totals, per type, a bounded sample of ids) and the metrics, per type and in all. */
function publishDrift(o: GuardedDeliveryOptions, drift: Drift): void {
  o.telemetry.info(`sync drift: ${describeDrift(drift)}`, { drift: { totals: drift.totals, byResourceType: drift.byResourceType, sample: drift.sample } });
  for (const [type, changes] of Object.entries(drift.byResourceType)) o.telemetry.publishWith({ [RESOURCE_TYPE_DIMENSION]: type }, countsOf(changes));
  for (const [name, value] of countsOf(drift.totals)) o.telemetry.metric(name, 'Count', value);
}
