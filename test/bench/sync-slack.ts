// `npm run bench -- sync slack [--users N] [--groups N] [--memberships N] [--mode pro|business]
// [--scale N] [--json]`: a synthetic workspace synced against the simulator.
//  1. rate limits off: seconds, peak RSS of the syncing process, calls vs the Go connector's formula;
//  2. Slack's real tier limits on both sides, time-scaled by --scale: wall time over the floor the
//     limits allow (per limited method: calls beyond its burst at its rate; never below run 1's time).
// Each sync runs in a child process (sync-phase.ts) so its peak RSS is its own, not the simulator's.
import { mkdtemp, rm } from 'node:fs/promises';
import { runPhase } from './child.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEB_METHODS, SCIM_LIMITS } from '../../lambdas/slack/sim/limits.ts';
import { generateTenant, goFormulaCalls, goFormulaParamsFor, startSlackSim, type SlackMode } from '../../lambdas/slack/sim/index.ts';

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
async function runChild(config: Record<string, string>, out: string, scale: number): Promise<ChildResult> {
  const overrides = { rateLimitScale: scale > 0 ? scale : 1e9 };
  return (await runPhase(new URL('./sync-phase.ts', import.meta.url).pathname, ['slack', JSON.stringify(config), out, JSON.stringify(overrides)])) as unknown as ChildResult;
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
  const say = (line: string) => {
    if (!json) process.stdout.write(`${line}\n`);
  };

  const tenant = generateTenant({ seed: 42, users, userGroups: groups, memberships, idpGroups: Math.max(2, Math.round(users / 200)) });
  const goCalls = goFormulaCalls(goFormulaParamsFor(tenant, mode));
  const dir = await mkdtemp(join(tmpdir(), 'bench-slack-'));
  try {
    say(`slack ${mode}: ${users} users, ${groups} user groups, ${memberships} memberships`);

    const free = await startSlackSim({ tenant, mode, rateLimits: 'off' });
    let fast: ChildResult;
    let calls: number;
    try {
      fast = await runChild(free.config, join(dir, 'free.c1z'), 0);
      calls = free.server.calls.length;
    } finally {
      await free.server.close();
    }
    if (JSON.stringify(fast.counts) !== JSON.stringify(free.expected)) throw new Error(`counts ${JSON.stringify(fast.counts)} differ from the tenant's ${JSON.stringify(free.expected)}`);
    say(`  limits off: ${fast.seconds.toFixed(2)} s, peak RSS ${fast.peakRssMb.toFixed(0)} MB (after loading ${fast.baseRssMb.toFixed(0)} MB), ${calls} calls (Go formula ${goCalls}, ${(calls / goCalls).toFixed(3)}×); rows ${JSON.stringify(fast.counts)}`);

    const limited = await startSlackSim({ tenant, mode, rateLimits: scale, recordCalls: true });
    let slow: ChildResult;
    let floor: { seconds: number; binding: string };
    let throttled: number;
    try {
      slow = await runChild(limited.config, join(dir, 'limited.c1z'), scale);
      floor = limitsFloorSeconds(limited.server.calls.filter((c) => c.status !== 429), scale);
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

