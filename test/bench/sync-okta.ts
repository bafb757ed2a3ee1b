// `npm run bench -- sync okta [--users N] [--groups N] [--apps N] [--scale N] [--slice-seconds N] [--json]`:
// a synthetic Okta org synced against the simulator.
//  1. rate limits off: seconds, peak RSS of the syncing process, calls against baton-okta's
//     formula (goFormulaCalls) and ours;
//  2. Okta's Workforce per-bucket limits on the simulator (each token 50 % of a bucket), windows
//     --scale times shorter: wall time, scaled back to real speed, over the floor the buckets allow
//     at real speed (the busiest bucket's calls at its per-token rate);
//  3. with --slice-seconds N, run 2 runs as the Lambda runs it instead: slices of N seconds on the
//     Lambda's clock (rate-limit waits × --scale, CPU and checkpoints real), each checkpointing to
//     S3 (a moto server started here) and the next resuming from it; the sliced file must hold
//     exactly the ids of run 1's unsliced file.
// Each sync runs in a child process (sync-phase.ts) so its peak RSS is its own, not the simulator's.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  generateTenant,
  goFormulaCalls,
  type OktaTenant,
  orgShape,
  ourFormulaCalls,
  simBucketOf,
  startOktaSim,
  WORKFORCE_LIMITS,
} from '../../lambdas/okta/sim/index.ts';
import { openC1z } from '../../shared/c1z/reader.ts';
import { startMoto } from '../support/moto.ts';
import { runPhase, type SliceFigures, type SlicePlan, slicedEstimate } from './child.ts';

interface ChildResult {
  seconds: number;
  peakRssMb: number;
  baseRssMb: number;
  counts: { resourceTypes: number; resources: number; entitlements: number; grants: number };
  requests: number;
  slices?: SliceFigures[];
  checkpointBytes?: number;
}

/** Okta's default per-token share of a bucket, as the simulator enforces it. */
const TOKEN_SHARE = 0.5;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function runChild(config: Record<string, string>, out: string, slices?: SlicePlan): Promise<ChildResult> {
  const args = ['okta', JSON.stringify(config), out, JSON.stringify({}), ...(slices ? [JSON.stringify(slices)] : [])];
  return (await runPhase(new URL('./sync-phase.ts', import.meta.url).pathname, args)) as unknown as ChildResult;
}

/** Seconds at real speed the per-token bucket windows require for these calls: the busiest bucket's. */
export function floorSeconds(calls: { method: string; path: string }[]): { seconds: number; binding: string } {
  const perBucket = new Map<string, number>();
  for (const c of calls) {
    const b = simBucketOf(c.method, c.path);
    perBucket.set(b, (perBucket.get(b) ?? 0) + 1);
  }
  let best = { seconds: 0, binding: 'none' };
  for (const [bucket, n] of perBucket) {
    const perMinute = WORKFORCE_LIMITS[bucket as keyof typeof WORKFORCE_LIMITS] * TOKEN_SHARE;
    // Okta counts in fixed one-minute windows: a window's budget is there at once, so n calls need
    // the windows after the first, not n / rate.
    const seconds = (Math.ceil(n / perMinute) - 1) * 60;
    if (seconds > best.seconds) best = { seconds, binding: `${bucket} ×${n} at ${perMinute}/min` };
  }
  return best;
}

/** A digest of every resource, entitlement and grant id in a file (sorted, so order does not matter). */
async function idDigest(file: string): Promise<string> {
  const r = await openC1z(file);
  try {
    const ids: string[] = [];
    for (const res of r.resources()) ids.push(`r ${res.id?.resourceType}:${res.id?.resource}`);
    for (const e of r.entitlements()) ids.push(`e ${e.id}`);
    for (const g of r.grants()) ids.push(`g ${g.id}`);
    ids.sort();
    const h = createHash('sha256');
    for (const id of ids) h.update(`${id}\n`);
    return `${ids.length}:${h.digest('hex').slice(0, 16)}`;
  } finally {
    r.close();
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

async function limitedRun(tenant: OktaTenant, scale: number, dir: string, sliceSeconds: number | undefined) {
  const sim = await startOktaSim({ tenant, rateLimits: scale, recordCalls: true });
  const moto = sliceSeconds === undefined ? undefined : await startMoto();
  try {
    let slices: SlicePlan | undefined;
    if (moto && sliceSeconds !== undefined) {
      Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' });
      const bucket = 'bench-checkpoints';
      await new S3Client({ forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
      // Okta is paced from the server's rate-limit headers (the simulator's clock): waits stay compressed.
      slices = { sliceSeconds, clock: 'compressed', scale, bucket, objectKey: 'baton/okta/sync.c1z' };
    }
    const out = join(dir, slices ? 'sliced.c1z' : 'limited.c1z');
    const r = await runChild(sim.config, out, slices);
    const served = sim.server.calls.filter((c) => c.status !== 429);
    return { r, out, expected: sim.expected, floor: floorSeconds(served), throttled: sim.server.calls.length - served.length };
  } finally {
    await sim.server.close();
    await moto?.stop();
  }
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const users = Number(option(args, '--users') ?? 50_000);
  const groups = Number(option(args, '--groups') ?? Math.round(users / 10));
  const apps = Number(option(args, '--apps') ?? Math.max(3, Math.round(users / 250)));
  const scale = Number(option(args, '--scale') ?? 60);
  const sliceSeconds = option(args, '--slice-seconds') === undefined ? undefined : Number(option(args, '--slice-seconds'));
  if (sliceSeconds !== undefined && !(sliceSeconds > 0)) throw new Error('--slice-seconds takes a positive number of (real) seconds per slice');
  if (!(scale > 0)) throw new Error('--scale takes a positive time scale');
  const say = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };

  const tenant = generateTenant({ seed: 42, users, groups, apps });
  const shape = orgShape(tenant);
  const goCalls = goFormulaCalls(shape);
  const ourCalls = ourFormulaCalls(shape);
  const dir = await mkdtemp(join(tmpdir(), 'bench-okta-'));
  try {
    say(`okta: ${users} users, ${tenant.groups.length} groups, ${tenant.apps.length} apps, ${shape.admins} admins`);
    const free = await startOktaSim({ tenant, rateLimits: 'off', recordCalls: true });
    let fast: ChildResult;
    let calls: number;
    try {
      fast = await runChild(free.config, join(dir, 'free.c1z'));
      calls = free.server.calls.length;
    } finally {
      await free.server.close();
    }
    if (JSON.stringify(fast.counts) !== JSON.stringify(free.expected))
      throw new Error(`counts ${JSON.stringify(fast.counts)} differ from the org's ${JSON.stringify(free.expected)}`);
    say(
      `  limits off: ${fast.seconds.toFixed(2)} s, peak RSS ${fast.peakRssMb.toFixed(0)} MB, ${calls} calls (ours by formula ${ourCalls}; baton-okta's formula ${goCalls}, ${(calls / goCalls).toFixed(3)}×); rows ${JSON.stringify(fast.counts)}`,
    );

    const limited = await limitedRun(tenant, scale, dir, sliceSeconds);
    const { r } = limited;
    if (JSON.stringify(r.counts) !== JSON.stringify(limited.expected))
      throw new Error(`counts ${JSON.stringify(r.counts)} differ from the org's ${JSON.stringify(limited.expected)}`);
    const floor = limited.floor.seconds;
    // Unsliced: the compressed run against the larger of the compressed floor and the unlimited
    // run (on a busy machine the sync's own CPU time, not the buckets, can be what bounds it).
    // Sliced: real time (rate-limit waits scaled back up, CPU and checkpoints as measured) against
    // the floor at real speed, or the unlimited run if longer.
    const estimate = r.slices ? slicedEstimate(r.slices) : undefined;
    const checkpoint = estimate?.checkpointSeconds ?? 0;
    const wall = estimate ? estimate.wallSeconds : r.seconds * scale;
    const wallOverFloor = estimate ? wall / Math.max(floor, fast.seconds) : r.seconds / Math.max(floor / scale, fast.seconds);
    let sameIds: boolean | undefined;
    if (sliceSeconds !== undefined) {
      const [a, b] = await Promise.all([idDigest(join(dir, 'free.c1z')), idDigest(limited.out)]);
      sameIds = a === b;
      if (!sameIds) throw new Error(`the sliced sync's ids (${b}) differ from the unsliced sync's (${a})`);
    }
    say(
      `  Workforce limits ×${scale}${estimate ? `, ${sliceSeconds} s slices: ${r.slices?.length} slices (checkpoints ${checkpoint.toFixed(1)} s, largest ${((r.checkpointBytes ?? 0) / 2 ** 20).toFixed(1)} MiB), ids as unsliced: ${sameIds}` : ''}; ` +
        `${r.seconds.toFixed(1)} s measured (≈ ${wall.toFixed(0)} s at real speed); floor ${floor.toFixed(0)} s at real speed (${limited.floor.binding}), ${(floor / scale).toFixed(1)} s compressed, unlimited run ${fast.seconds.toFixed(1)} s → ${wallOverFloor.toFixed(3)}×; peak RSS ${r.peakRssMb.toFixed(0)} MB; 429s ${limited.throttled}`,
    );
    if (json) {
      process.stdout.write(
        `${JSON.stringify({
          calls,
          goFormulaCalls: goCalls,
          ourFormulaCalls: ourCalls,
          callsOverGo: round(calls / goCalls, 3),
          floorSeconds: round(floor),
          wallSeconds: round(wall),
          wallOverFloor: round(wallOverFloor, 3),
          peakRssMb: round(Math.max(fast.peakRssMb, r.peakRssMb)),
          unlimitedPeakRssMb: round(fast.peakRssMb),
          limitedPeakRssMb: round(r.peakRssMb),
          measuredSeconds: round(r.seconds),
          checkpointSeconds: round(checkpoint),
          slices: r.slices?.length ?? 1,
          sameIds,
          throttled: limited.throttled,
          unlimitedSeconds: round(fast.seconds),
          counts: fast.counts,
          scale,
          sliceSeconds,
          users,
          groups: tenant.groups.length,
          apps: tenant.apps.length,
        })}\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
