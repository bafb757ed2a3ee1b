// Child process of the sync benchmarks: one full sync of `<connector>` with the given secret map,
// so the figures (seconds, peak RSS) are the sync's own, not the simulator's. With a slice plan
// (5th argument) the sync runs as the Lambda runs it: slices of `sliceMs` of API time, each
// checkpointing to S3 (the AWS_* environment points at moto) and the next one resuming from there.
import { S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConnector, connectorName } from '../../bin/cli/registry.ts';
import { s3CheckpointStore } from '../../shared/aws/checkpoint-store.ts';
import { deadlineBudget } from '../../shared/sync/budget.ts';
import { parseConnectorConfig, secretValuesOf } from '../../shared/sync/config.ts';
import { runSlicedSync } from '../../shared/sync/lifecycle.ts';
import { syncToFile } from '../../shared/sync/run-sync.ts';
import { peakRssMb } from './child.ts';

const [name, configJson, out, overridesJson, sliceJson] = process.argv.slice(2);
const definition = await loadConnector(connectorName(name));
const secretMap = JSON.parse(configJson ?? '{}') as Record<string, string>;
const httpOverrides = overridesJson ? JSON.parse(overridesJson) : undefined;
const baseRssMb = process.memoryUsage.rss() / 2 ** 20;
const started = performance.now();

if (!sliceJson) {
  const summary = await syncToFile({ connector: definition, secretMap, out: out!, httpOverrides });
  process.send!({
    seconds: (performance.now() - started) / 1000,
    peakRssMb: peakRssMb(),
    baseRssMb,
    counts: summary.counts,
    requests: summary.http.requests,
    throttles: summary.http.throttles,
  });
} else {
  const plan = JSON.parse(sliceJson) as { sliceMs: number; bucket: string; objectKey: string };
  const store = s3CheckpointStore({ client: new S3Client({ forcePathStyle: true }), bucket: plan.bucket, objectKey: plan.objectKey, connector: name! });
  let checkpointMs = 0;
  let checkpointBytes = 0;
  let requests = 0;
  const summary = await runSlicedSync({
    definition,
    config: parseConnectorConfig(definition, secretMap),
    secretValues: secretValuesOf(secretMap),
    out: out!,
    // A work root of its own: each run clears sync-id folders left in its work root, so with /tmp
    // itself any other sync on the machine starting meanwhile would delete this one's database.
    workRoot: mkdtempSync(join(tmpdir(), 'bench-work-')),
    store,
    sliceBudget: () => deadlineBudget(Date.now() + plan.sliceMs),
    httpOverrides,
    onSlice: (run) => {
      // Restoring, packing, verifying and the S3 round trip: real time, not compressed by --scale.
      checkpointMs = run.checkpointMs;
      checkpointBytes = Math.max(checkpointBytes, run.checkpointBytes);
      requests = run.apiRequests;
    },
  });
  process.send!({
    seconds: (performance.now() - started) / 1000,
    peakRssMb: peakRssMb(),
    baseRssMb,
    counts: summary.counts,
    requests,
    slices: summary.slices,
    checkpointSeconds: checkpointMs / 1000,
    checkpointBytes,
  });
}
