// `npm run bench -- sync segment [--users N] [--groups M] [--members K] [--roles R] [--sources S]
//  [--functions F] [--list-permissions] [--json]`: one full sync of a synthetic workspace against the
// simulator (rate limits off). The sync runs in a child process (sync-phase.ts) so its peak RSS is
// its own, not the simulator's. Calls are what the simulator served, next to the Go connector's
// formula (goFormulaCalls in lambdas/segment/sim) for the same tenant.
//
// --list-permissions makes GET /users and GET /groups rows carry `permissions` (the OpenAPI row
// type allows it; the live API's behaviour is unverified), which removes the per-user GETs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTenant, goFormulaFor, startSegmentSim } from '../../lambdas/segment/sim/index.ts';
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
  const sim = await startSegmentSim({ tenant, rateLimits: 'off', listPermissions, listGroupPermissions: listPermissions, recordCalls: false });
  const dir = await mkdtemp(join(tmpdir(), 'bench-segment-'));
  try {
    const r = await runPhase(new URL('./sync-phase.ts', import.meta.url).pathname, ['segment', JSON.stringify(sim.config()), join(dir, 'sync.c1z')]);
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
