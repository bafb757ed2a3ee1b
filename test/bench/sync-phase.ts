// Child process of the sync benchmarks: one full sync of `<connector>` with the given secret map,
// so the figures (seconds, peak RSS) are the sync's own, not the simulator's. With a slice plan
// (5th argument) the sync runs as the Lambda runs it: slices of `sliceSeconds` on the Lambda's
// clock, each checkpointing to S3 (the AWS_* environment points at moto), the next resuming from it.

import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { connectorName, loadConnector } from '../../bin/cli/registry.ts';
import { s3CheckpointStore } from '../../shared/aws/checkpoint-store.ts';
import type { SliceBudget } from '../../shared/sync/budget.ts';
import { parseConnectorConfig, secretValuesOf } from '../../shared/sync/config.ts';
import { runSlicedSync } from '../../shared/sync/lifecycle.ts';
import { syncToFile } from '../../shared/sync/run-sync.ts';
import { peakRssMb, type SliceFigures, type SlicePlan } from './child.ts';
import { virtualClock } from './virtual-clock.ts';

const [name, configJson, out, overridesJson, sliceJson] = process.argv.slice(2);
const definition = await loadConnector(connectorName(name));
const secretMap = JSON.parse(configJson ?? '{}') as Record<string, string>;
const httpOverrides = overridesJson ? JSON.parse(overridesJson) : undefined;
const baseRssMb = process.memoryUsage.rss() / 2 ** 20;
// BENCH_MEMORY=1: where the peak goes, on stderr: V8's view (heap, array buffers) and the kernel's
// (/proc/self/smaps at the peak: V8's 256 KiB heap pages, malloc arenas, other anonymous memory, files).
if (process.env.BENCH_MEMORY) {
  let peak = process.memoryUsage();
  let where = '';
  const mb = (n: number) => Math.round(n / 2 ** 20);
  setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss + 2 ** 20) {
      peak = m;
      where = smapsSummary();
    }
    if (process.env.BENCH_MEMORY === 'trace') {
      // The kernel's high-water mark since the last sample (reset each time): a peak inside a
      // stretch that blocks the event loop still shows, in the first sample after it.
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
      writeFileSync('/proc/self/clear_refs', '5');
      process.stderr.write(`t ${Math.round(performance.now() - started)} rss ${mb(m.rss)} hwm ${Math.round(hwm)} heap ${mb(m.heapUsed)}\n`);
    }
  }, 100).unref();
  process.on('exit', () =>
    process.stderr.write(
      `memory at peak: rss ${mb(peak.rss)} MB (run ${((performance.now() - started) / 1000).toFixed(1)} s); V8 heap ${mb(peak.heapTotal)} (used ${mb(peak.heapUsed)}), array buffers ${mb(peak.arrayBuffers)}; smaps: ${where}\n`,
    ),
  );
}

/** Resident MB by kind of mapping: 256 KiB anonymous maps are V8 heap pages; [heap] and 64 MiB regions are malloc's. */
function smapsSummary(): string {
  const kb: Record<string, number> = {};
  let kind = 'other';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const size = (Number.parseInt(head[2]!, 16) - Number.parseInt(head[1]!, 16)) / 1024;
      const name = head[3]!.trim();
      kind =
        name === '[heap]'
          ? 'malloc'
          : name.startsWith('/')
            ? 'files'
            : name !== ''
              ? 'other'
              : size === 256
                ? 'v8pages'
                : size >= 60 * 1024
                  ? 'malloc'
                  : 'anon';
    } else if (line.startsWith('Rss:')) kb[kind] = (kb[kind] ?? 0) + Number(line.split(/\s+/)[1]);
  }
  return Object.entries(kb)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${Math.round(v / 1024)}`)
    .join(', ');
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
  // The slice budget runs on the Lambda's clock, so a 120 s slice does 120 s of real work. CPU work,
  // packing and S3 round trips keep real time; rate-limit waits are either virtual (the clients
  // pace at the API's real rates on a virtual clock, the simulator's limits off: each wait counts
  // in full and takes no real time) or compressed (the simulator's limits --scale times fast, for
  // APIs paced from the server's headers, whose clock is the simulator's: the time the event loop
  // sits idle, waiting on the API, counts --scale times; faithful while the run waits more than it
  // computes, which a moderate --scale keeps true).
  const plan = JSON.parse(sliceJson) as SlicePlan;
  const store = s3CheckpointStore({ client: new S3Client({ forcePathStyle: true }), bucket: plan.bucket, objectKey: plan.objectKey, connector: name! });
  const virtual = plan.clock === 'virtual' ? virtualClock() : undefined;
  /** Waited ms so far that the Lambda's clock counts beyond real time. */
  const extraMs = () => (virtual ? virtual.skippedMs() : (plan.scale - 1) * performance.eventLoopUtilization().idle);
  const slices: SliceFigures[] = [];
  let sliceStart = { at: performance.now(), extra: 0 };
  let checkpointMs = 0;
  let checkpointBytes = 0;
  let requests = 0;
  const lambdaMs = () => performance.now() - sliceStart.at + extraMs() - sliceStart.extra;
  // BENCH_TRACE=1: each request's start on the Lambda's clock, on stderr (where a run's time above its floor goes).
  if (process.env.BENCH_TRACE) {
    diagnostics.channel('undici:request:create').subscribe((m) => {
      const { request } = m as { request: { method: string; path: string } };
      process.stderr.write(`trace ${(lambdaMs() / 1000).toFixed(2)} ${request.method} ${request.path.split('?')[0]}\n`);
    });
    process.on('exit', () => process.stderr.write(`trace ${(lambdaMs() / 1000).toFixed(2)} end\n`));
  }
  const budget = (): SliceBudget => {
    sliceStart = { at: performance.now(), extra: extraMs() };
    return { spent: () => lambdaMs() >= plan.sliceSeconds * 1000 };
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
    httpOverrides: virtual ? { ...httpOverrides, rateLimitScale: 1, clock: virtual } : httpOverrides,
    onSlice: (run) => {
      slices.push({ wallMs: performance.now() - sliceStart.at, lambdaMs: lambdaMs(), checkpointMs: run.checkpointMs - checkpointMs });
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
