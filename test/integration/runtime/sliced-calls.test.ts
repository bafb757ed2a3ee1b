// A sliced sync costs what one slice costs: what a connector learned (member lists that came with a
// list page, lookup maps, compact member pages, workspace names) survives a slice boundary in the
// connector state kept with the checkpoint, so a resumed slice makes no call the one-slice sync did
// not, except the credential check every slice starts with. Slices are cut by a count of pages (one
// in flight at a time), so where they fall never depends on machine speed.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connector as fullstoryConnector } from '../../../lambdas/fullstory/connector.ts';
import { simulator as fullstorySim } from '../../../lambdas/fullstory/sim/index.ts';
import { connector as oktaConnector } from '../../../lambdas/okta/connector.ts';
import { simulator as oktaSim } from '../../../lambdas/okta/sim/index.ts';
import { connector as segmentConnector } from '../../../lambdas/segment/connector.ts';
import { simulator as segmentSim } from '../../../lambdas/segment/sim/index.ts';
import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';
import { generateTenant, type SlackTenant, startSlackSim, workspacesOf } from '../../../lambdas/slack/sim/index.ts';
import { connector as gridConnector } from '../../../lambdas/slack-enterprise/connector.ts';
import { simulator as gridSim } from '../../../lambdas/slack-enterprise/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import type { RunningSim } from '../../../shared/sim/kit.ts';
import { pageBudget } from '../../../shared/sync/budget.ts';
import { folderCheckpointStore } from '../../../shared/sync/checkpoint-store.ts';
import { parseConnectorConfig, secretValuesOf } from '../../../shared/sync/config.ts';
import type { ConnectorDefinition } from '../../../shared/sync/connector.ts';
import { runSlicedSync } from '../../../shared/sync/lifecycle.ts';
import { runSync } from '../../../shared/sync/run-sync.ts';
import { tempDir } from '../../support/tmp.ts';

const FAST = { baseBackoffMs: 5, maxBackoffMs: 20 };
let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

interface Rows {
  /** `type:id parent` of every resource, so a user moved to another workspace shows. */
  resources: string[];
  entitlements: string[];
  grants: string[];
}

async function rowsOf(file: string): Promise<Rows> {
  const r = await openC1z(file);
  try {
    return {
      resources: [...r.resources()].map((x) => `${x.id?.resourceType}:${x.id?.resource} ${x.parentResourceId?.resource ?? ''}`).sort(),
      entitlements: [...r.entitlements()].map((x) => x.id).sort(),
      grants: [...r.grants()].map((x) => x.id).sort(),
    };
  } finally {
    r.close();
  }
}

/** Two workspaces of ~1,100 users (two users.list pages each), shared users, and SCIM users no workspace lists. */
function slackTenant(): SlackTenant {
  const tenant = generateTenant({ seed: 19, users: 2200, workspaces: 2, userGroups: 4, memberships: 600, idpGroups: 3, sharedUsers: 30 });
  tenant.users.push(
    { id: 'UELSEWHERE', team_id: 'TOTHER', name: 'elsewhere', profile: { team: 'TOTHER' }, scimActive: true },
    { id: 'UHIDDEN', team_id: 'TOTHER', name: 'hidden', profile: { team: 'TOTHER' }, scimActive: true, hiddenFromBot: true },
  );
  return tenant;
}

interface Case {
  name: string;
  definition: ConnectorDefinition<unknown>;
  start(): Promise<RunningSim>;
  /** What else the rows must show (e.g. Slack's user parents). */
  check?(rows: Rows): void;
}

const slackParents = (tenant: SlackTenant) => (rows: Rows) => {
  const teams = tenant.teams.map((t) => t.id).sort();
  for (const row of rows.resources.filter((r) => r.startsWith('user:'))) {
    const [ref, parent] = row.split(' ');
    const u = tenant.users.find((x) => `user:${x.id}` === ref)!;
    expect(parent, ref).toBe(
      workspacesOf(u)
        .filter((t) => teams.includes(t))
        .sort()[0] ?? teams[0],
    );
  }
};

const slack = (mode: 'pro' | 'business'): Case => {
  const tenant = slackTenant();
  return {
    name: `slack ${mode}`,
    definition: slackConnector as ConnectorDefinition<unknown>,
    start: () => startSlackSim({ tenant, mode, rateLimits: 'off' }),
    check: slackParents(tenant),
  };
};

const CASES: Case[] = [
  slack('pro'),
  slack('business'),
  {
    name: 'segment',
    definition: segmentConnector as ConnectorDefinition<unknown>,
    start: () =>
      segmentSim.start({
        seed: 19,
        users: 40,
        rateLimits: 'off',
        extra: {
          groups: 4,
          membersPerGroup: 5,
          roles: 6,
          sources: 2,
          warehouses: 1,
          functions: 1,
          spaces: 1,
          listPermissions: true,
          listGroupPermissions: true,
        },
      }),
  },
  {
    name: 'okta',
    definition: oktaConnector as ConnectorDefinition<unknown>,
    start: () => oktaSim.start({ seed: 19, users: 450, rateLimits: 'off', extra: { groups: 40, apps: 6, admins: 4, customRoles: true, secrets: true } }),
  },
  {
    name: 'slack-enterprise',
    definition: gridConnector as ConnectorDefinition<unknown>,
    start: () => gridSim.start({ seed: 19, users: 500, rateLimits: 'off', extra: { workspaces: 3, groups: 3, idpGroups: 4, sso: true } }),
  },
  {
    name: 'fullstory scim',
    definition: fullstoryConnector as ConnectorDefinition<unknown>,
    start: () => fullstorySim.start({ seed: 19, users: 120, rateLimits: 'off', extra: { mode: 'scim', scimPageCap: 25 } }),
  },
  {
    name: 'fullstory apikey',
    definition: fullstoryConnector as ConnectorDefinition<unknown>,
    start: () => fullstorySim.start({ seed: 19, users: 120, rateLimits: 'off', extra: { mode: 'apikey', apiPageSize: 25 } }),
  },
];

describe('a sliced sync makes no more calls than one slice, plus at most one per slice boundary', () => {
  for (const c of CASES) {
    it(c.name, { timeout: 240_000 }, async () => {
      const s = (sim = await c.start());
      const config = parseConnectorConfig(c.definition, s.config);
      const base = { definition: c.definition, config, secretValues: secretValuesOf(s.config), httpOverrides: FAST, concurrency: 1 };

      const dir = tempDir('sliced-calls-');
      const oneOut = join(dir, 'one.c1z');
      let before = s.server.calls.length;
      const one = await runSync({ ...base, out: oneOut, workRoot: join(dir, 'work') });
      const oneCalls = s.server.calls.length - before;
      expect(one.counts).toEqual(s.expected);
      const expected = await rowsOf(oneOut);
      c.check?.(expected);

      // Every page its own slice, then a few pages per slice.
      for (const pages of [1, 4]) {
        const out = join(dir, `sliced-${pages}.c1z`);
        before = s.server.calls.length;
        const sliced = await runSlicedSync({
          ...base,
          out,
          workRoot: join(dir, 'work'),
          store: folderCheckpointStore(join(dir, `checkpoints-${pages}`)),
          sliceBudget: () => pageBudget(pages),
        });
        const calls = s.server.calls.length - before;
        expect(sliced.slices).toBeGreaterThan(1);
        expect(calls, `${sliced.slices} slices`).toBeLessThanOrEqual(oneCalls + (sliced.slices - 1));
        expect(sliced.counts).toEqual(one.counts);
        expect(await rowsOf(out)).toEqual(expected);
      }
    });
  }
});

describe('slack business+ with more SCIM pages than one step reads', () => {
  it('users.list pages kept for the SCIM map cross slice boundaries in the checkpoint and are written once it is whole', { timeout: 240_000 }, async () => {
    // 12 SCIM pages: the first users.list page comes before the map is whole, and is kept.
    const tenant = generateTenant({ seed: 23, users: 12_400, workspaces: 2, userGroups: 4, memberships: 600, idpGroups: 3, sharedUsers: 30 });
    const s = await startSlackSim({ tenant, mode: 'business', rateLimits: 'off' });
    sim = s;
    const definition = slackConnector as ConnectorDefinition<unknown>;
    const base = {
      definition,
      config: parseConnectorConfig(definition, s.config),
      secretValues: secretValuesOf(s.config),
      httpOverrides: FAST,
      concurrency: 1,
    };
    const dir = tempDir('sliced-kept-');
    let before = s.server.calls.length;
    await runSync({ ...base, out: join(dir, 'one.c1z'), workRoot: join(dir, 'work') });
    const oneCalls = s.server.calls.length - before;
    const expected = await rowsOf(join(dir, 'one.c1z'));
    slackParents(tenant)(expected);

    const out = join(dir, 'sliced.c1z');
    before = s.server.calls.length;
    const sliced = await runSlicedSync({
      ...base,
      out,
      workRoot: join(dir, 'work'),
      store: folderCheckpointStore(join(dir, 'checkpoints')),
      sliceBudget: () => pageBudget(1),
    });
    expect(s.server.calls.length - before).toBeLessThanOrEqual(oneCalls + (sliced.slices - 1));
    expect(await rowsOf(out)).toEqual(expected);
  });
});
