// `npm run bench -- sync slack-enterprise [--users N] [--workspaces N] [--sso] [--scale N]
// [--slice-seconds N] [--json]`: a synthetic Enterprise Grid org synced against the simulator.
//  1. rate limits off: seconds, peak RSS of the syncing process, calls vs the Go connector's formula;
//  2. Slack's tier limits on both sides, time-scaled by --scale: wall time over the floor the limits
//     allow (per bucket: calls beyond its burst at its rate; never below run 1's time).
// With --slice-seconds N the limited run is sliced as the Lambda runs it: slices of N seconds on the
// Lambda's clock (rate-limit waits × --scale, CPU and checkpoints real), each checkpointing to S3 (a
// moto server started here) and the next resuming. Real time is estimated the same way. The sliced
// run's ids are compared with the unsliced run's.
// Each sync runs in a child process (sync-phase.ts) so its peak RSS is its own, not the simulator's.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { generateGridTenant, goFormulaCalls, gridShape, limitsFloorSeconds, ourFormulaCalls, startGridSim } from '../../lambdas/slack-enterprise/sim/index.ts';
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

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function runChild(config: Record<string, string>, out: string, scale: number, slices?: SlicePlan): Promise<ChildResult> {
  const overrides = { rateLimitScale: scale > 0 ? scale : 1e9 };
  const args = ['slack-enterprise', JSON.stringify(config), out, JSON.stringify(overrides), ...(slices ? [JSON.stringify(slices)] : [])];
  return (await runPhase(new URL('./sync-phase.ts', import.meta.url).pathname, args)) as unknown as ChildResult;
}

/** A digest of every id in the file, to compare two syncs without holding both id sets. */
async function idDigest(file: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const reader = await openC1z(file);
  try {
    const parts = [
      ...[...reader.resources()].map((r) => `r ${r.id!.resourceType}:${r.id!.resource}:${r.parentResourceId?.resource ?? ''}`),
      ...[...reader.entitlements()].map((e) => `e ${e.id}`),
      ...[...reader.grants()].map((g) => `g ${g.id}`),
    ].sort();
    const h = createHash('sha256');
    for (const p of parts) h.update(`${p}\n`);
    return h.digest('hex');
  } finally {
    reader.close();
  }
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const users = Number(option(args, '--users') ?? 20_000);
  const workspaces = Number(option(args, '--workspaces') ?? 20);
  const sso = args.includes('--sso');
  const scale = Number(option(args, '--scale') ?? 10);
  const sliceSeconds = option(args, '--slice-seconds') === undefined ? undefined : Number(option(args, '--slice-seconds'));
  if (sliceSeconds !== undefined && !(sliceSeconds > 0)) throw new Error('--slice-seconds takes a positive number of (real) seconds per slice');
  const say = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };

  const tenant = generateGridTenant({ seed: 42, users, workspaces });
  const shape = gridShape(tenant);
  const goCalls = goFormulaCalls(shape, sso);
  const formula = ourFormulaCalls(shape, sso);
  const dir = await mkdtemp(join(tmpdir(), 'bench-grid-'));
  try {
    say(
      `slack-enterprise: ${users} users, ${workspaces} workspaces, ${shape.membersPerWorkspace.reduce((a, b) => a + b, 0)} workspace memberships${sso ? ', SSO' : ''}`,
    );

    const free = await startGridSim({ tenant, sso, rateLimits: 'off', recordCalls: false });
    let fast: ChildResult;
    let calls: number;
    try {
      fast = await runChild(free.config, join(dir, 'free.c1z'), 0);
      calls = [...free.controls.served.values()].reduce((a, b) => a + b, 0) + free.controls.refused;
      if (JSON.stringify(fast.counts) !== JSON.stringify(free.expected))
        throw new Error(`counts ${JSON.stringify(fast.counts)} differ from the org's ${JSON.stringify(free.expected)}`);
    } finally {
      await free.server.close();
    }
    say(
      `  limits off: ${fast.seconds.toFixed(2)} s, peak RSS ${fast.peakRssMb.toFixed(0)} MB, ${calls} calls (our formula ${formula}; Go formula ${goCalls}, ${(calls / goCalls).toFixed(4)}×); rows ${JSON.stringify(fast.counts)}`,
    );

    let moto: Awaited<ReturnType<typeof startMoto>> | undefined;
    let slicePlan: SlicePlan | undefined;
    if (sliceSeconds !== undefined) {
      moto = await startMoto();
      Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' });
      const bucket = 'bench-checkpoints';
      await new S3Client({ forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: bucket }));
      slicePlan = { sliceSeconds, clock: 'virtual', scale, bucket, objectKey: 'baton/slack-enterprise/sync.c1z' };
    }
    // Sliced: the clients pace at the real tiers on a virtual clock (sync-phase.ts), so the simulator's limits are off.
    const limited = await startGridSim({ tenant, sso, rateLimits: slicePlan ? 'off' : scale, recordCalls: false });
    try {
      const out = join(dir, 'limited.c1z');
      const slow = await runChild(limited.config, out, scale, slicePlan);
      if (JSON.stringify(slow.counts) !== JSON.stringify(limited.expected))
        throw new Error(`limited run: counts ${JSON.stringify(slow.counts)} differ from the org's ${JSON.stringify(limited.expected)}`);
      const floor = limitsFloorSeconds(limited.controls.served, scale);
      const estimate = slow.slices ? slicedEstimate(slow.slices) : undefined;
      const checkpointSeconds = estimate?.checkpointSeconds ?? 0;
      // Unsliced: compressed seconds, the floor never below the unlimited run. Sliced: the Lambda's
      // clock (real time, rate-limit waits virtual) over the limits' floor at real speed, or the
      // unlimited run if longer.
      const floorSeconds = estimate ? Math.max(floor.seconds * scale, fast.seconds) : Math.max(floor.seconds, fast.seconds);
      const realWall = estimate ? estimate.wallSeconds : slow.seconds;
      const wallOverFloor = realWall / floorSeconds;
      const sameIds = slicePlan ? (await idDigest(out)) === (await idDigest(join(dir, 'free.c1z'))) : undefined;
      say(
        `  tier limits ×${scale}${slicePlan ? `, ${sliceSeconds} s slices: ${slow.slices?.length} slices (checkpoints ${checkpointSeconds.toFixed(1)} s, largest ${((slow.checkpointBytes ?? 0) / 2 ** 20).toFixed(1)} MiB), ids ${sameIds ? 'equal to' : 'DIFFERENT from'} the unsliced run's` : ''}: ` +
          `${slow.seconds.toFixed(2)} s measured${slicePlan ? ` ≈ ${realWall.toFixed(0)} s real` : ''} over a floor of ${floorSeconds.toFixed(2)} s (limits ${floor.seconds.toFixed(2)} s from ${floor.binding}; unlimited run ${fast.seconds.toFixed(2)} s) → ${wallOverFloor.toFixed(3)}×; peak RSS ${slow.peakRssMb.toFixed(0)} MB; 429s: ${limited.controls.refused}`,
      );
      if (json) {
        process.stdout.write(
          `${JSON.stringify({
            users,
            workspaces,
            sso,
            calls,
            formulaCalls: formula,
            goFormulaCalls: goCalls,
            callRatio: round(calls / goCalls, 5),
            seconds: round(fast.seconds),
            floorSeconds: round(floorSeconds),
            wallSeconds: round(realWall),
            wallOverFloor: round(wallOverFloor, 3),
            peakRssMb: round(Math.max(fast.peakRssMb, slow.peakRssMb)),
            slices: slow.slices?.length ?? 1,
            checkpointSeconds: round(checkpointSeconds),
            sameIdsAsUnsliced: sameIds,
            throttled: limited.controls.refused,
            scale,
            counts: slow.counts,
          })}\n`,
        );
      }
    } finally {
      await limited.server.close();
      await moto?.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
