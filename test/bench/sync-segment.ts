// `npm run bench -- sync segment [--users N] [--groups M] [--members K] [--roles R] [--sources S]
//  [--functions F] [--list-permissions] [--scale N] [--json]`: a synthetic workspace synced against
// the simulator, twice:
//  1. rate limits off: seconds, peak RSS, calls (what the simulator served) next to the Go
//     connector's formula (goFormulaCalls in lambdas/segment/sim) for the same tenant;
//  2. the simulator's read budget (Segment publishes none; it assumes 50/s, burst 100) × --scale
//     (default 1): wall time over the floor, the larger of that budget's floor for run 1's calls
//     and run 1's own time. The client finds the budget the way it would Segment's: from 429s.
// Each sync runs in a child process (sync-phase.ts) so its peak RSS is its own, not the simulator's.
//
// --list-permissions makes GET /users and GET /groups rows carry `permissions` (the OpenAPI row
// type allows it; the live API's behaviour is unverified), which removes the per-user GETs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTenant, goFormulaFor, startSegmentSim } from '../../lambdas/segment/sim/index.ts';
import { READ_BURST, READ_PER_MINUTE } from '../../lambdas/segment/sim/server.ts';
import { runPhase } from './child.ts';

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number`);
  return v;
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const listPermissions = args.includes('--list-permissions');
  const users = flag(args, 'users', 5000);
  const tenant = generateTenant({
    seed: 42,
    users,
    groups: flag(args, 'groups', 200),
    membersPerGroup: flag(args, 'members', 25),
    roles: flag(args, 'roles', 50),
    sources: flag(args, 'sources', 300),
    functions: flag(args, 'functions', 300),
  });
  const goFormulaCalls = goFormulaFor(tenant);
  const scale = args.includes('--scale') ? Number(args[args.indexOf('--scale') + 1]) : 1;
  if (!(scale > 0)) throw new Error('--scale takes a positive time scale');
  const dir = await mkdtemp(join(tmpdir(), 'bench-segment-'));
  const sync = async (rateLimits: 'off' | number, out: string) => {
    const sim = await startSegmentSim({ tenant, rateLimits, listPermissions, listGroupPermissions: listPermissions, recordCalls: false });
    try {
      const r = await runPhase(new URL('./sync-phase.ts', import.meta.url).pathname, ['segment', JSON.stringify(sim.config()), join(dir, out)]);
      return { r, routes: sim.routeCounts() };
    } finally {
      await sim.close();
    }
  };
  try {
    const free = await sync('off', 'free.c1z');
    const limited = await sync(scale, 'limited.c1z');
    const calls = Object.values(free.routes).reduce((a, b) => a + b, 0);
    const served = Object.values(limited.routes).reduce((a, b) => a + b, 0);
    // Every call is a read but the few writes none of a sync makes: the budget's floor for them.
    const limitsFloor = Math.max(0, calls - READ_BURST) / ((READ_PER_MINUTE * scale) / 60);
    const floorSeconds = Math.max(limitsFloor, free.r.seconds);
    const wallOverFloor = limited.r.seconds / floorSeconds;
    const round = (n: number, d = 2) => Number(n.toFixed(d));
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ seconds: round(free.r.seconds), peakRssMb: round(Math.max(free.r.peakRssMb, limited.r.peakRssMb), 1), calls, goFormulaCalls, limitedSeconds: round(limited.r.seconds), floorSeconds: round(floorSeconds), wallOverFloor: round(wallOverFloor, 3), servedLimited: served })}\n`,
      );
      return;
    }
    process.stdout.write(
      [
        `segment sync: ${users} users, ${tenant.groups.length} groups, ${tenant.roles.length} roles, ${tenant.sources.length} sources, ${tenant.functions.length} functions` +
          (listPermissions ? ' (list rows carry permissions)' : ''),
        `  seconds   ${round(free.r.seconds)} (limits off)`,
        `  peak RSS  ${round(free.r.peakRssMb, 1)} MB (target <= 256)`,
        `  calls     ${calls} vs Go formula ${goFormulaCalls} = ${(calls / goFormulaCalls).toFixed(3)}x (target <= 0.6x)`,
        `  by route  ${JSON.stringify(free.routes)}`,
        `  rows      ${JSON.stringify(free.r.counts)}`,
        `  limited   ${round(limited.r.seconds)} s under the simulator's read budget; floor ${round(floorSeconds)} s (budget ${round(limitsFloor)} s, limits off ${round(free.r.seconds)} s) → ${wallOverFloor.toFixed(3)}×; ${served - calls} calls refused with 429`,
        '',
      ].join('\n'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
