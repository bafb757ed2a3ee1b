// `npm run bench -- sync segment [--users N] [--groups M] [--members K] [--roles R] [--sources S]
//  [--functions F] [--list-permissions] [--json]`: one full sync of a synthetic workspace against the
// simulator (rate limits off). The sync runs in a child process (this same file) so its peak RSS is
// its own, not the simulator's. Calls are what the simulator served, next to the Go connector's
// formula (spec §6) for the same tenant.
//
// --list-permissions makes GET /users and GET /groups rows carry `permissions` (the OpenAPI row
// type allows it; the live API's behaviour is unverified), which removes the per-user GETs.
import { fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTenant, goFormulaFor, startSegmentSim } from '../sim/segment/index.ts';

const CHILD_FLAG = '--segment-bench-child';

interface ChildResult {
  seconds: number;
  peakRssMb: number;
  counts: { resourceTypes: number; resources: number; entitlements: number; grants: number };
}

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number`);
  return v;
}

function runChild(config: Record<string, string>, out: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG, JSON.stringify({ config, out })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: ChildResult | undefined;
    child.on('message', (m) => {
      result = m as ChildResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`segment bench child exited with ${code}`))));
  });
}

async function child(): Promise<void> {
  const { config, out } = JSON.parse(process.argv[3] ?? '{}') as { config: Record<string, string>; out: string };
  const { syncToFile } = await import('../../shared/sync/run-sync.ts');
  const { segmentConnector } = await import('../../lambdas/segment/connector.ts');
  const started = performance.now();
  const summary = await syncToFile({ connector: segmentConnector, secretMap: config, out });
  const seconds = (performance.now() - started) / 1000;
  const result: ChildResult = { seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, counts: summary.counts };
  process.send!(result, () => process.exit(0));
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
  const sim = await startSegmentSim({ tenant, rateLimits: 'off', listPermissions, listGroupPermissions: listPermissions, recordCalls: false });
  const dir = await mkdtemp(join(tmpdir(), 'bench-segment-'));
  try {
    const r = await runChild(sim.config(), join(dir, 'sync.c1z'));
    const routes = sim.routeCounts();
    const calls = Object.values(routes).reduce((a, b) => a + b, 0);
    const seconds = Number(r.seconds.toFixed(2));
    const peakRssMb = Number(r.peakRssMb.toFixed(1));
    if (json) {
      process.stdout.write(`${JSON.stringify({ seconds, peakRssMb, calls, goFormulaCalls })}\n`);
      return;
    }
    process.stdout.write(
      [
        `segment sync: ${users} users, ${tenant.groups.length} groups, ${tenant.roles.length} roles, ${tenant.sources.length} sources, ${tenant.functions.length} functions` +
          (listPermissions ? ' (list rows carry permissions)' : ''),
        `  seconds   ${seconds}`,
        `  peak RSS  ${peakRssMb} MB (target <= 256)`,
        `  calls     ${calls} vs Go formula ${goFormulaCalls} = ${(calls / goFormulaCalls).toFixed(3)}x (target <= 0.6x)`,
        `  by route  ${JSON.stringify(routes)}`,
        `  rows      ${JSON.stringify(r.counts)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === CHILD_FLAG) await child();
