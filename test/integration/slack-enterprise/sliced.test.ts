// A Grid sync run in slices (checkpointed between them, as the Lambda runs it) writes the same
// resources, entitlements and grants as one unsliced sync. Slices end after a count of pages, so
// how many there are does not depend on machine speed. What the connector learned (workspace names,
// member lists, role holders, that both tokens passed) survives each boundary in the connector
// state, so the slices call Slack exactly as often as the unsliced sync, plus one auth.test each.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connector } from '../../../lambdas/slack-enterprise/connector.ts';
import { GRID_BOT_TOKEN, generateGridTenant, type RunningGridSim, startGridSim } from '../../../lambdas/slack-enterprise/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { pageBudget } from '../../../shared/sync/budget.ts';
import { folderCheckpointStore } from '../../../shared/sync/checkpoint-store.ts';
import { parseConnectorConfig, secretValuesOf } from '../../../shared/sync/config.ts';
import { runSlicedSync, SyncFailure } from '../../../shared/sync/lifecycle.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { tempDir } from '../../support/tmp.ts';

const FAST = { baseBackoffMs: 5, maxBackoffMs: 20 };
let sim: RunningGridSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

async function idsOf(file: string): Promise<{ resources: string[]; entitlements: string[]; grants: string[] }> {
  const reader = await openC1z(file);
  try {
    return {
      resources: [...reader.resources()].map((r) => `${r.id!.resourceType}:${r.id!.resource}:${r.parentResourceId?.resource ?? ''}`).sort(),
      entitlements: [...reader.entitlements()].map((e) => e.id).sort(),
      grants: [...reader.grants()].map((g) => g.id).sort(),
    };
  } finally {
    reader.close();
  }
}

/** Served calls by path, SCIM group ids folded into one path. */
function callsByPath(calls: { path: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { path } of calls) {
    const key = path.replace(/\/Groups\/[^/]+$/, '/Groups/{id}');
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

describe('slack-enterprise: sliced sync', () => {
  it('yields the ids of an unsliced sync, with its calls plus one auth.test per later slice', async () => {
    const tenant = generateGridTenant({ seed: 21, users: 2000, workspaces: 8 });
    const s = (sim = await startGridSim({ tenant, sso: true, rateLimits: 'off' }));
    const dir = tempDir('grid-sliced-');
    const whole = join(dir, 'whole.c1z');
    await syncToFile({ connector, secretMap: s.config, out: whole, httpOverrides: FAST });
    const wholeCalls = callsByPath(s.server.calls);
    const before = s.server.calls.length;

    const sliced = join(dir, 'sliced.c1z');
    const summary = await runSlicedSync({
      definition: connector,
      config: parseConnectorConfig(connector, s.config),
      secretValues: secretValuesOf(s.config),
      out: sliced,
      workRoot: dir,
      store: folderCheckpointStore(join(dir, 'checkpoints')),
      sliceBudget: () => pageBudget(40),
      httpOverrides: FAST,
    });
    expect(summary.slices).toBeGreaterThanOrEqual(5);
    const slicedCalls = callsByPath(s.server.calls.slice(before));
    expect(slicedCalls).toEqual({ ...wholeCalls, '/api/auth.test': 2 + (summary.slices - 1) });
    expect(summary.counts).toEqual(s.expected);
    expect(await idsOf(sliced)).toEqual(await idsOf(whole));
  });

  it('a resumed slice checks only the enterprise token: a bot token revoked since fails at its first real call', async () => {
    const s = (sim = await startGridSim({ tenant: generateGridTenant({ seed: 21, users: 300, workspaces: 2 }), rateLimits: 'off' }));
    const dir = tempDir('grid-revoked-');
    /** auth.test calls served by the end of each checkpointed slice. */
    const authTests: number[] = [];
    const failure = await runSlicedSync({
      definition: connector,
      config: parseConnectorConfig(connector, s.config),
      secretValues: secretValuesOf(s.config),
      out: join(dir, 'sliced.c1z'),
      workRoot: dir,
      store: folderCheckpointStore(join(dir, 'checkpoints')),
      sliceBudget: () => pageBudget(1),
      httpOverrides: FAST,
      onSlice: () => {
        authTests.push(s.server.calls.filter((c) => c.path === '/api/auth.test').length);
        s.controls.revoked.add(GRID_BOT_TOKEN);
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // The lifecycle's failure carries the connector's message, after the step it stopped.
    expect(failure).toBeInstanceOf(SyncFailure);
    const { message, retryable } = failure as SyncFailure;
    expect(retryable).toBe(false);
    expect(message).toMatch(/: slack-enterprise: BATON_TOKEN was rejected by Slack on [a-z.]+: token_revoked/);
    expect(message).not.toMatch(/on auth\.test/);
    // The first slice checked both tokens, each later one (the failed one too) only the enterprise token.
    authTests.push(s.server.calls.filter((c) => c.path === '/api/auth.test').length);
    expect(authTests.length).toBeGreaterThan(2);
    expect(authTests).toEqual(authTests.map((_, i) => 2 + i));
  });
});
