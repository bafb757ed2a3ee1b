// Child process of the sync benchmarks: one full sync of `<connector>` with the given secret map,
// so the figures (seconds, peak RSS) are the sync's own, not the simulator's. With a slice plan
// (5th argument) the sync runs as the Lambda runs it: slices of `sliceSeconds` on the Lambda's
// clock, each checkpointing to S3 (the AWS_* environment points at moto), the next resuming from it.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { connectorName, loadConnector } from '../../bin/cli/registry.ts';
import { s3CheckpointStore } from '../../shared/aws/checkpoint-store.ts';
import type { SliceBudget } from '../../shared/sync/budget.ts';
import { parseConnectorConfig, secretValuesOf } from '../../shared/sync/config.ts';
import { runSlicedSync } from '../../shared/sync/lifecycle.ts';
import { syncToFile } from '../../shared/sync/run-sync.ts';
import { peakRssMb } from './child.ts';

const [name, configJson, out, overridesJson, sliceJson] = process.argv.slice(2);
const definition = await loadConnector(connectorName(name));
const secretMap = JSON.parse(configJson ?? '{}') as Record<string, string>;
const httpOverrides = overridesJson ? JSON.parse(overridesJson) : undefined;
const baseRssMb = process.memoryUsage.rss() / 2 ** 20;
// BENCH_MEMORY=1: where the peak goes (V8 heap, buffers outside it, the rest: SQLite, zstd, code), on stderr.
if (process.env.BENCH_MEMORY) {
  let peak = process.memoryUsage();
  let status = '';
  const mb = (n: number) => Math.round(n / 2 ** 20);
  setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) {
      peak = m;
      status = readFileSync('/proc/self/status', 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('Rss'))
        .join(' ')
        .replace(/\s+/g, ' ');
    }
    if (process.env.BENCH_MEMORY === 'trace') process.stderr.write(`t ${Math.round(performance.now() - started)} rss ${mb(m.rss)} heap ${mb(m.heapUsed)}\n`);
  }, 100).unref();
  process.on('exit', () =>
    process.stderr.write(
      `memory at peak: rss ${mb(peak.rss)} MB = heap ${mb(peak.heapTotal)} (used ${mb(peak.heapUsed)}) + array buffers ${mb(peak.arrayBuffers)} + other ${mb(peak.rss - peak.heapTotal - peak.arrayBuffers)}; ${status}\n`,
    ),
  );
}
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
  // The slice budget runs on the Lambda's clock: API waits (the event loop idle, waiting on the
  // simulator, whose limits run --scale times fast) count --scale times, CPU work (the loop busy:
  // mapping, writing rows) counts as it is. So a 120 s slice does 120 s of real work.
  const plan = JSON.parse(sliceJson) as { sliceSeconds: number; scale: number; bucket: string; objectKey: string };
  const store = s3CheckpointStore({ client: new S3Client({ forcePathStyle: true }), bucket: plan.bucket, objectKey: plan.objectKey, connector: name! });
  /** Per slice: its wall time, and the engine's part of it (from its first to its last look at the budget), loop busy vs idle. */
  const slices: { wallMs: number; checkpointMs: number; engineActiveMs: number; engineIdleMs: number }[] = [];
  let slice = { at: performance.now(), engineActiveMs: 0, engineIdleMs: 0 };
  let checkpointMs = 0;
  let checkpointBytes = 0;
  let requests = 0;
  const budget = (): SliceBudget => {
    const current = { at: performance.now(), engineActiveMs: 0, engineIdleMs: 0 };
    slice = current;
    // Counted from the engine's first look at it: restoring the checkpoint before that is S3 and
    // disk time, real in the Lambda too, not a wait on the compressed API.
    let engineStart: ReturnType<typeof performance.eventLoopUtilization> | undefined;
    let restoreMs = 0;
    return {
      spent: () => {
        if (!engineStart) {
          engineStart = performance.eventLoopUtilization();
          restoreMs = performance.now() - current.at;
        }
        const d = performance.eventLoopUtilization(engineStart);
        current.engineActiveMs = d.active;
        current.engineIdleMs = d.idle;
        return restoreMs + d.active + d.idle * plan.scale >= plan.sliceSeconds * 1000;
      },
    };
  };
  const summary = await runSlicedSync({
    definition,
    config: parseConnectorConfig(definition, secretMap),
    secretValues: secretValuesOf(secretMap),
    out: out!,
    // A folder of its own: another process cleaning the system temp folder must not take the kept database.
    workRoot: mkdtempSync(join(tmpdir(), 'bench-work-')),
    store,
    sliceBudget: budget,
    httpOverrides,
    onSlice: (run) => {
      slices.push({
        wallMs: performance.now() - slice.at,
        checkpointMs: run.checkpointMs - checkpointMs,
        engineActiveMs: slice.engineActiveMs,
        engineIdleMs: slice.engineIdleMs,
      });
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
    slices,
    checkpointBytes,
  });
}
