// The live file's last gate: before a finished sync replaces `sync.c1z`, it is compared with the
// file it replaces. A shrink past the policy goes to quarantine instead and fails the run; every
// delivery publishes the drift (what was added and removed, per resource type).

import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DRIFT_KINDS, type Drift, type DriftKind, describeDrift, type KindChanges } from '../c1z/drift.ts';
import { C1zReader, openC1z } from '../c1z/reader.ts';
import { oneLine } from '../errors.ts';
import { RESOURCE_TYPE_DIMENSION } from '../observability/names.ts';
import type { MetricName, Telemetry } from '../observability/telemetry.ts';
import { compareSyncs, type SyncComparison } from '../sync/compare-syncs.ts';
import { describeShrinks, type ShrinkPolicy } from '../sync/shrink-guard.ts';
import { discardQuarantined, quarantineC1z } from './quarantine.ts';
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
