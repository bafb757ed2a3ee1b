// `npm run bench -- sync slack [--users N] [--groups N] [--memberships N] [--mode pro|business]
// [--scale N] [--slice-seconds N] [--json]`: a synthetic workspace synced against the simulator.
//  1. rate limits off: seconds, peak RSS of the syncing process, calls vs the Go connector's formula;
//  2. Slack's real tier limits on both sides, time-scaled by --scale: wall time over the floor the
//     limits allow (per limited method: calls beyond its burst at its rate; never below run 1's time).
// With --slice-seconds N the sync runs as the Lambda runs it instead: slices of N seconds on the
// Lambda's clock (the client paces at the real tiers on a virtual clock, so a wait counts in full
// and takes no real time; CPU and checkpoints real; --scale is not used), each checkpointing to S3
// (a moto server started here) and the next resuming from it, against the floor of a one-slice
// sync's calls at real speed (see runSliced).
// Each sync runs in a child process (sync-phase.ts) so its peak RSS is its own, not the simulator's.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { generateTenant, goFormulaCalls, goFormulaParamsFor, type SlackMode, startSlackSim } from '../../lambdas/slack/sim/index.ts';
import { decodeV1, encodeV1 } from '../../shared/c1z/container.ts';
import { SCIM_LIMITS, WEB_METHODS } from '../../shared/slack/sim/limits.ts';
import { startMoto } from '../support/moto.ts';
import { runPhase, type SliceFigures, type SlicePlan, slicedEstimate } from './child.ts';

interface ChildResult {
  seconds: number;
  peakRssMb: number;
  /** RSS after loading the code, before the sync. */
  baseRssMb: number;
  counts: { resourceTypes: number; resources: number; entitlements: number; grants: number };
  requests: number;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** One sync in its own process; "limits off" (scale 0) is off on both sides. */
async function runChild(config: Record<string, string>, out: string, scale: number, slices?: SlicePlan): Promise<ChildResult> {
  const overrides = { rateLimitScale: scale > 0 ? scale : 1e9 };
  const args = ['slack', JSON.stringify(config), out, JSON.stringify(overrides), ...(slices ? [JSON.stringify(slices)] : [])];
  return (await runPhase(new URL('./sync-phase.ts', import.meta.url).pathname, args)) as unknown as ChildResult;
}

/**
 * The sliced run, after a one-slice run of the same tenant (limits off) that gives the calls a
 * sync needs and the floor: the limits' floor of those calls at real speed (or that run's own time,
 * if longer). The sliced run's slices are budgeted on the Lambda's clock (sync-phase.ts): real
 * time for CPU, packing, verifying and S3, rate-limit waits at the real tiers in full.
 */
async function runSliced(
  tenant: ReturnType<typeof generateTenant>,
  mode: SlackMode,
  scale: number,
  sliceSeconds: number,
  dir: string,
  say: (s: string) => void,
  json: boolean,
): Promise<void> {
  const free = await startSlackSim({ tenant, mode, rateLimits: 'off', recordCalls: true });
  let one: ChildResult;
  let oneSliceCalls: { path: string }[];
  try {
    one = await runChild(free.config, join(dir, 'one.c1z'), 0);
    oneSliceCalls = free.server.calls.filter((c) => c.status !== 429);
  } finally {
    await free.server.close();
  }
  const limitsFloor = limitsFloorSeconds(oneSliceCalls, 1);
  const floorSeconds = Math.max(limitsFloor.seconds, one.seconds);
  say(
    `  one slice, limits off: ${one.seconds.toFixed(2)} s, ${oneSliceCalls.length} calls, peak RSS ${one.peakRssMb.toFixed(0)} MB; limits floor ${limitsFloor.seconds.toFixed(0)} s real (${limitsFloor.binding})`,
  );

  const moto = await startMoto();
  // The clients pace at Slack's real tiers on a virtual clock (sync-phase.ts), so the simulator's limits are off.
  const limited = await startSlackSim({ tenant, mode, rateLimits: 'off', recordCalls: true });
  try {
    Object.assign(process.env, { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' });
    const s3 = new S3Client({ forcePathStyle: true });
    const bucket = 'bench-checkpoints';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const r = (await runChild(limited.config, join(dir, 'sliced.c1z'), scale, {
      sliceSeconds,
      clock: 'virtual',
      scale,
      bucket,
      objectKey: 'baton/slack/sync.c1z',
    })) as ChildResult & {
      slices: SliceFigures[];
      checkpointBytes: number;
    };
    if (JSON.stringify(r.counts) !== JSON.stringify(limited.expected))
      throw new Error(`counts ${JSON.stringify(r.counts)} differ from the tenant's ${JSON.stringify(limited.expected)}`);
    const throttled = limited.server.calls.filter((c) => c.status === 429).length;
    const calls = limited.server.calls.length - throttled;
    const estimate = slicedEstimate(r.slices);
    const { wallSeconds: realWall, checkpointSeconds, perSlice, slices840, wall840Seconds: wall840 } = estimate;
    const wallOverFloor = realWall / floorSeconds;
    const fullPack = await fullPackSeconds(join(dir, 'sliced.c1z'), dir);
    say(
      `  sliced (${sliceSeconds} s slices, waits virtual at the real tiers): ${r.slices.length} slices, ${calls} calls (one slice: ${oneSliceCalls.length}); ${r.seconds.toFixed(1)} s measured; ` +
        `checkpoints ${checkpointSeconds.toFixed(1)} s in all, per slice min/median/max ${perSlice.min.toFixed(2)}/${perSlice.median.toFixed(2)}/${perSlice.max.toFixed(2)} s, largest ${(r.checkpointBytes / 2 ** 20).toFixed(1)} MiB; ` +
        `one full pack and verify of the final database ${fullPack.toFixed(1)} s (checkpoints ${(checkpointSeconds / fullPack).toFixed(2)}× that)`,
    );
    say(
      `  real time ≈ ${realWall.toFixed(0)} s over a floor of ${floorSeconds.toFixed(0)} s → ${wallOverFloor.toFixed(3)}×; at 840 s slices ≈ ${wall840.toFixed(0)} s (${slices840} slices) → ${(wall840 / floorSeconds).toFixed(3)}×; peak RSS ${r.peakRssMb.toFixed(0)} MB sliced, ${one.peakRssMb.toFixed(0)} MB one slice; 429s served: ${throttled}`,
    );
    if (json) {
      process.stdout.write(
        `${JSON.stringify({
          slices: r.slices.length,
          calls,
          oneSliceCalls: oneSliceCalls.length,
          floorSeconds: round(floorSeconds),
          floorBinding: limitsFloor.binding,
          wallSeconds: round(realWall),
          wallOverFloor: round(wallOverFloor, 3),
          wall840Seconds: round(wall840),
          wall840OverFloor: round(wall840 / floorSeconds, 3),
          checkpointSeconds: round(checkpointSeconds),
          checkpointSecondsPerSlice: round(perSlice.median),
          checkpointSecondsMin: round(perSlice.min),
          checkpointSecondsMax: round(perSlice.max),
          checkpointBytes: r.checkpointBytes,
          fullPackSeconds: round(fullPack),
          checkpointOverFullPack: round(checkpointSeconds / fullPack, 2),
          peakRssMb: round(r.peakRssMb),
          oneSlicePeakRssMb: round(one.peakRssMb),
          oneSliceSeconds: round(one.seconds),
          measuredSeconds: round(r.seconds),
          counts: r.counts,
          throttled,
          scale,
          sliceSeconds,
          mode,
          users: tenant.users.length,
        })}\n`,
      );
    }
  } finally {
    await limited.server.close();
    await moto.stop();
  }
}

/** Packing the final database once and verifying it by decoding, as the last slice does: what checkpoints are measured against. */
async function fullPackSeconds(c1z: string, dir: string): Promise<number> {
  const db = join(dir, 'final.db');
  await decodeV1(c1z, db);
  const started = performance.now();
  await encodeV1(db, join(dir, 'repacked.c1z'));
  await decodeV1(join(dir, 'repacked.c1z'), undefined);
  return (performance.now() - started) / 1000;
}

/** Seconds the simulator's buckets require at least for these calls, at `scale`. */
function limitsFloorSeconds(calls: { path: string }[], scale: number): { seconds: number; binding: string } {
  const perKey = new Map<string, number>();
  for (const c of calls) {
    const key = c.path.startsWith('/api/') ? c.path.slice(5) : c.path.startsWith('/scim/') && c.path.split('/').length <= 4 ? 'scim:read' : 'scim:read-by-id';
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  let best = { seconds: 0, binding: 'none' };
  for (const [key, n] of perKey) {
    const limit = WEB_METHODS[key]?.limit ?? (key === 'scim:read' ? SCIM_LIMITS.read : SCIM_LIMITS.readById);
    const seconds = Math.max(0, n - limit.burst) / ((limit.perMinute * scale) / 60);
    if (seconds > best.seconds) best = { seconds, binding: `${key} ×${n}` };
  }
  return best;
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const users = Number(option(args, '--users') ?? 20_000);
  const groups = Number(option(args, '--groups') ?? Math.max(3, Math.round(users / 40)));
  const memberships = Number(option(args, '--memberships') ?? users * 5);
  const mode: SlackMode = option(args, '--mode') === 'business' ? 'business' : 'pro';
  const scale = Number(option(args, '--scale') ?? 1.5);
  const sliceSeconds = option(args, '--slice-seconds') === undefined ? undefined : Number(option(args, '--slice-seconds'));
  if (sliceSeconds !== undefined && !(sliceSeconds > 0)) throw new Error('--slice-seconds takes a positive number of (real) seconds per slice');
  const say = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };

  const tenant = generateTenant({ seed: 42, users, userGroups: groups, memberships, idpGroups: Math.max(2, Math.round(users / 200)) });
  const goCalls = goFormulaCalls(goFormulaParamsFor(tenant, mode));
  const dir = await mkdtemp(join(tmpdir(), 'bench-slack-'));
  try {
    say(`slack ${mode}: ${users} users, ${groups} user groups, ${memberships} memberships`);
    if (sliceSeconds !== undefined) return await runSliced(tenant, mode, scale, sliceSeconds, dir, say, json);

    const free = await startSlackSim({ tenant, mode, rateLimits: 'off' });
    let fast: ChildResult;
    let calls: number;
    try {
      fast = await runChild(free.config, join(dir, 'free.c1z'), 0);
      calls = free.server.calls.length;
    } finally {
      await free.server.close();
    }
    if (JSON.stringify(fast.counts) !== JSON.stringify(free.expected))
      throw new Error(`counts ${JSON.stringify(fast.counts)} differ from the tenant's ${JSON.stringify(free.expected)}`);
    say(
      `  limits off: ${fast.seconds.toFixed(2)} s, peak RSS ${fast.peakRssMb.toFixed(0)} MB (after loading ${fast.baseRssMb.toFixed(0)} MB), ${calls} calls (Go formula ${goCalls}, ${(calls / goCalls).toFixed(3)}×); rows ${JSON.stringify(fast.counts)}`,
    );

    const limited = await startSlackSim({ tenant, mode, rateLimits: scale, recordCalls: true });
    let slow: ChildResult;
    let floor: { seconds: number; binding: string };
    let throttled: number;
    try {
      slow = await runChild(limited.config, join(dir, 'limited.c1z'), scale);
      floor = limitsFloorSeconds(
        limited.server.calls.filter((c) => c.status !== 429),
        scale,
      );
      throttled = limited.server.calls.filter((c) => c.status === 429).length;
    } finally {
      await limited.server.close();
    }
    const floorSeconds = Math.max(floor.seconds, fast.seconds);
    const wallOverFloor = slow.seconds / floorSeconds;
    say(
      `  real tier limits ×${scale}: ${slow.seconds.toFixed(2)} s; floor ${floorSeconds.toFixed(2)} s (limits ${floor.seconds.toFixed(2)} s from ${floor.binding}; unlimited run ${fast.seconds.toFixed(2)} s) → ${wallOverFloor.toFixed(3)}×; 429s served: ${throttled}`,
    );
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ seconds: round(fast.seconds), peakRssMb: round(fast.peakRssMb), calls, goFormulaCalls: goCalls, wallOverFloor: round(wallOverFloor, 3), baseRssMb: round(fast.baseRssMb), limitedSeconds: round(slow.seconds), floorSeconds: round(floorSeconds), scale, mode, users })}\n`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
