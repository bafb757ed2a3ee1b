// A slice that finishes no page makes no progress: the lifecycle says so in a warning and in the
// SliceStalled metric (what the stalled alarm watches), and the sync still ends at MAX_SLICES.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pageBudget } from '../../../shared/sync/budget.ts';
import { folderCheckpointStore } from '../../../shared/sync/checkpoint-store.ts';
import type { ConnectorDefinition } from '../../../shared/sync/connector.ts';
import { runInProcess, SyncLifecycle } from '../../../shared/sync/lifecycle.ts';
import { fakeConnector } from '../../support/fake-connector.ts';
import { tempDir } from '../../support/tmp.ts';

describe('a slice without progress', () => {
  it('publishes SliceStalled once per stalled slice, and none for a slice that finished pages', async () => {
    const dir = tempDir();
    const metrics: string[] = [];
    const warnings: string[] = [];
    const definition: ConnectorDefinition<object> = {
      name: 'fake',
      configSchema: z.object({}),
      create: () => fakeConnector({ users: 10, groups: 2, orgs: 1, teamsPerOrg: 1, pageSize: 5 }).connector,
    };
    const lifecycle = new SyncLifecycle({
      definition,
      config: async () => ({ config: {}, secretValues: [] }),
      store: folderCheckpointStore(join(dir, 'checkpoints')),
      delivery: { deliver: async () => undefined },
      now: Date.now,
      telemetry: {
        info: () => undefined,
        warn: (m) => warnings.push(m),
        error: () => undefined,
        metric: (name, _unit, value) => metrics.push(`${name}=${value}`),
        publish: () => undefined,
        publishWith: () => undefined,
      },
      workRoot: join(dir, 'work'),
      checkpointMaxAgeMs: Number.POSITIVE_INFINITY,
      leaseMs: 0,
      maxSlices: 3,
    });
    const budgets = [pageBudget(2), pageBudget(0), pageBudget(0)];
    await expect(runInProcess(lifecycle, { executionId: 'e', trigger: 'manual' }, () => budgets.shift() ?? pageBudget(0))).rejects.toThrow(/MAX_SLICES/);
    expect(metrics.filter((m) => m.startsWith('stalledSlices'))).toEqual(['stalledSlices=1', 'stalledSlices=1']);
    expect(warnings.filter((w) => w.startsWith('slice made no progress'))).toHaveLength(2);
  });
});
