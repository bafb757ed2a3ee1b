// A Grid sync run in slices (checkpointed between them, as the Lambda runs it) writes the same
// resources, entitlements and grants as one unsliced sync. Slices end after a count of pages, so
// how many there are does not depend on machine speed.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connector } from '../../../lambdas/slack-enterprise/connector.ts';
import { generateGridTenant, type RunningGridSim, startGridSim } from '../../../lambdas/slack-enterprise/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { pageBudget } from '../../../shared/sync/budget.ts';
import { folderCheckpointStore } from '../../../shared/sync/checkpoint-store.ts';
import { parseConnectorConfig, secretValuesOf } from '../../../shared/sync/config.ts';
import { runSlicedSync } from '../../../shared/sync/lifecycle.ts';
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

describe('slack-enterprise: sliced sync', () => {
  it('yields the ids of an unsliced sync', async () => {
    const tenant = generateGridTenant({ seed: 21, users: 2000, workspaces: 8 });
    const s = (sim = await startGridSim({ tenant, sso: true, rateLimits: 'off' }));
    const dir = tempDir('grid-sliced-');
    const whole = join(dir, 'whole.c1z');
    await syncToFile({ connector, secretMap: s.config, out: whole, httpOverrides: FAST });

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
    expect(summary.counts).toEqual(s.expected);
    expect(await idsOf(sliced)).toEqual(await idsOf(whole));
  });
});
