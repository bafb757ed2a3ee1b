// `npm run bench -- sync slack [--users N] [--groups N] [--memberships N] [--mode pro|business]
// [--scale N] [--heap-mb N] [--json]`: a synthetic workspace synced against the simulator.
//  1. rate limits off: seconds, peak RSS of the syncing process, calls vs the Go connector's formula;
//  2. Slack's real tier limits on both sides, time-scaled by --scale: wall time over the floor the
//     limits allow (per limited method: calls beyond its burst at its rate; never below run 1's time).
// Each sync runs in a child process (this same file) so its peak RSS is its own, not the simulator's.
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEB_METHODS, SCIM_LIMITS } from '../sim/slack/limits.ts';
import { generateTenant, goFormulaCalls, goFormulaParamsFor, startSlackSim, type SlackMode } from '../sim/slack/index.ts';

const CHILD_FLAG = '--slack-bench-child';

interface ChildResult {
  seconds: number;
  peakRssMb: number;
  /** RSS after loading the code, before the sync (type stripping and modules included). */
  baseRssMb: number;
  /** Highest RSS sampled while the connector worked (before the c1z is packed and verified). */
  syncPhasePeakRssMb: number;
  counts: { resourceTypes: number; resources: number; entitlements: number; grants: number };
  requests: number;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function runChild(config: Record<string, string>, out: string, scale: number, heapMb: number | undefined): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // --heap-mb caps V8's old space as a small Lambda's runtime does: without it V8 on a big machine
    // collects lazily and RSS shows garbage (the live heap of this sync stays near 20 MB).
    const execArgv = heapMb ? [...process.execArgv, `--max-old-space-size=${heapMb}`] : process.execArgv;
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, JSON.stringify({ config, out, scale })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    let result: ChildResult | undefined;
    child.on('message', (m) => {
      result = m as ChildResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`slack bench child exited with ${code}`))));
  });
}

async function child(): Promise<void> {
  const { config, out, scale } = JSON.parse(process.argv[3] ?? '{}') as { config: Record<string, string>; out: string; scale: number };
  const { syncToFile } = await import('../../shared/sync/run-sync.ts');
  const { slackConnector } = await import('../../lambdas/slack/connector.ts');
  const baseRssMb = process.memoryUsage.rss() / 2 ** 20;
  // Samples fold into the sync-phase peak only when a page action completes after them, so what
  // the final packing and verification of the c1z cost is left out of this figure.
  let syncPhasePeak = 0;
  let pending = 0;
  const sampler = setInterval(() => {
    pending = Math.max(pending, process.memoryUsage.rss());
  }, 20);
  const started = performance.now();
  // "Limits off" means off on both sides: the client's buckets are scaled out of the way.
  const rateLimitScale = scale > 0 ? scale : 1e9;
  const summary = await syncToFile({
    connector: slackConnector,
    secretMap: config,
    out,
    httpOverrides: { rateLimitScale },
    onProgress: () => {
      syncPhasePeak = Math.max(syncPhasePeak, pending, process.memoryUsage.rss());
      pending = 0;
    },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const result: ChildResult = {
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    baseRssMb,
    syncPhasePeakRssMb: syncPhasePeak / 2 ** 20,
    counts: summary.counts,
    requests: summary.http.requests,
  };
  process.send!(result, () => process.exit(0));
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
  const heapMb = option(args, '--heap-mb') ? Number(option(args, '--heap-mb')) : undefined;
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
      fast = await runChild(free.config, join(dir, 'free.c1z'), 0, heapMb);
      calls = free.server.calls.length;
    } finally {
      await free.server.close();
    }
    if (JSON.stringify(fast.counts) !== JSON.stringify(free.expected)) throw new Error(`counts ${JSON.stringify(fast.counts)} differ from the tenant's ${JSON.stringify(free.expected)}`);
    say(`  limits off: ${fast.seconds.toFixed(2)} s, peak RSS ${fast.peakRssMb.toFixed(0)} MB (after loading ${fast.baseRssMb.toFixed(0)} MB; while syncing, before packing ${fast.syncPhasePeakRssMb.toFixed(0)} MB), ${calls} calls (Go formula ${goCalls}, ${(calls / goCalls).toFixed(3)}×); rows ${JSON.stringify(fast.counts)}`);

    const limited = await startSlackSim({ tenant, mode, rateLimits: scale, recordCalls: true });
    let slow: ChildResult;
    let floor: { seconds: number; binding: string };
    let throttled: number;
    try {
      slow = await runChild(limited.config, join(dir, 'limited.c1z'), scale, heapMb);
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
        `${JSON.stringify({ seconds: round(fast.seconds), peakRssMb: round(fast.peakRssMb), calls, goFormulaCalls: goCalls, wallOverFloor: round(wallOverFloor, 3), baseRssMb: round(fast.baseRssMb), syncPhasePeakRssMb: round(fast.syncPhasePeakRssMb), limitedSeconds: round(slow.seconds), floorSeconds: round(floorSeconds), scale, heapMb: heapMb ?? null, mode, users })}\n`,
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

if (process.argv[2] === CHILD_FLAG && process.send) await child();
