// Whole Slack syncs into c1z files read back with the reader: the fixed org row for row (Pro and
// Business+), a seeded tenant's counts with fewer calls than the Go connector, and a time-scaled run
// under the real tier limits that never draws a 429.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';
import {
  generateTenant,
  goFormulaCalls,
  goFormulaParamsFor,
  type RunningSlackSim,
  simulator as slackSim,
  startSlackSim,
  workspacesOf,
} from '../../../lambdas/slack/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import type { HttpEvent } from '../../../shared/http/types.ts';
import type { RunningSim } from '../../../shared/sim/kit.ts';
import { TIER_2 } from '../../../shared/slack/tiers.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/slack/fixture.ts';

const FAST = { baseBackoffMs: 5, maxBackoffMs: 20 };
let sim: RunningSlackSim | RunningSim | undefined;
afterEach(async () => {
  await sim?.server.close();
  sim = undefined;
});

const ROLE_KEYS = ['primary_owner', 'owner', 'admin', 'multi_channel_guest', 'single_channel_guest', 'invited_member', 'bot', 'member'];

describe('slack: sync into a c1z and read it back', () => {
  for (const mode of ['pro', 'business'] as const) {
    it(`${mode}: the fixed org, id for id`, async () => {
      const s = (sim = await startSlackSim({ tenant: fixedTenant(), mode, rateLimits: 'off' }));
      const out = join(tempDir('slack-c1z-'), 'sync.c1z');
      const summary = await syncToFile({ connector: slackConnector, secretMap: s.config, out, httpOverrides: FAST });
      expect(summary.counts).toEqual(s.expected);
      expect(summary.mode).toBe(`mode=${mode === 'pro' ? 'standard' : 'business-plus'} gov=false`);

      const reader = await openC1z(out);
      try {
        expect([...reader.resourceTypes()].map((t) => t.id).sort()).toEqual(['group', 'user', 'userGroup', 'workspace', 'workspaceRole']);
        const users =
          mode === 'pro'
            ? ['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7', 'U8', 'W9', 'USLACKBOT', 'U10', 'U11']
            : ['U1', 'U2', 'U3', 'U4', 'U5', 'U7', 'U8', 'U10', 'U12'];
        expect([...reader.resources({ resourceType: 'user' })].map((r) => r.id!.resource).sort()).toEqual(users.sort());
        expect([...reader.resources({ resourceType: 'workspaceRole' })].map((r) => r.id!.resource).sort()).toEqual(ROLE_KEYS.map((k) => `T1:${k}`).sort());
        expect([...reader.resources({ resourceType: 'group' })].map((r) => r.id!.resource)).toEqual(mode === 'pro' ? [] : ['G1', 'G2']);
        const ents = [...reader.entitlements()].map((e) => e.id);
        expect(ents).toContain('workspaceRole:T1:single_channel_guest:assigned');
        const grants = [...reader.grants()].map((g) => g.id);
        expect(grants).toContain('workspaceRole:T1:primary_owner:assigned:user:U1');
        expect(grants).toContain('userGroup:S2:member:user:U10');
        expect(grants.some((g) => g.endsWith(':user:W9'))).toBe(false);
        expect(grants.filter((g) => g.startsWith('group:')).length).toBe(mode === 'pro' ? 0 : 5);
      } finally {
        reader.close();
      }
    });
  }

  for (const mode of ['pro', 'business'] as const) {
    it(`${mode}: a seeded tenant (the demo's simulator) matches its counts with at most half the Go connector's calls`, async () => {
      const running = (sim = await slackSim.start({ seed: 21, users: 2500, rateLimits: 'off', extra: { mode, groups: 60, memberships: 9000, idpGroups: 30 } }));
      const out = join(tempDir('slack-c1z-'), 'sync.c1z');
      const summary = await syncToFile({ connector: slackConnector, secretMap: running.config, out, httpOverrides: FAST });
      expect(summary.counts).toEqual(running.expected);
      const s = running as RunningSlackSim;
      const go = goFormulaCalls(goFormulaParamsFor(s.tenant, mode));
      const ours = running.server.calls.length;
      expect(summary.http.requests).toBe(ours);
      expect(ours).toBeLessThanOrEqual(go / 2);
      // users.list pages of up to 1000 (the simulator shortens some, as Slack may): ⌈2500/1000⌉ or one more.
      const usersList = running.server.calls.filter((c) => c.path.endsWith('/users.list')).length;
      expect(usersList).toBeGreaterThanOrEqual(3);
      expect(usersList).toBeLessThanOrEqual(4);
      // Pro: auth.test, auth.teams.list, the users.list pages, usergroups.list.
      if (mode === 'pro') expect(ours).toBe(1 + 1 + usersList + 1);
      // Business+: plus ⌈N_s/1000⌉ SCIM Users and ⌈30/100⌉ SCIM Groups.
      else expect(ours).toBe(1 + 1 + usersList + 1 + Math.ceil(s.tenant.users.filter((u) => u.scimActive !== undefined).length / 1000) + 1);
    });
  }

  for (const mode of ['pro', 'business'] as const) {
    it(`${mode}, 2 workspaces under the real limits: every user under its own workspace, in the README's call formula`, async () => {
      const tenant = generateTenant({ seed: 25, users: 2300, workspaces: 2, userGroups: 8, memberships: 900, idpGroups: 150, sharedUsers: 40 });
      // A SCIM user no workspace lists: the one case users.info exists for.
      tenant.users.push({ id: 'UELSEWHERE', team_id: 'TOTHER', name: 'elsewhere', profile: { team: 'TOTHER' }, scimActive: true });
      const s = (sim = await startSlackSim({ tenant, mode, rateLimits: 'real' }));
      const out = join(tempDir('slack-c1z-'), 'sync.c1z');
      const summary = await syncToFile({ connector: slackConnector, secretMap: s.config, out, httpOverrides: FAST });
      expect(summary.counts).toEqual(s.expected);
      expect(s.server.calls.filter((c) => c.status === 429)).toHaveLength(0);

      const teamIds = tenant.teams.map((t) => t.id).sort();
      const reader = await openC1z(out);
      try {
        const users = [...reader.resources({ resourceType: 'user' })];
        for (const r of users) {
          const u = tenant.users.find((x) => x.id === r.id!.resource)!;
          const own = workspacesOf(u).filter((t) => teamIds.includes(t));
          // README.md, Users and their workspace: the lowest listing workspace, else (users.info) the first.
          expect(r.parentResourceId?.resource, u.id).toBe(own.sort()[0] ?? teamIds[0]);
        }
        expect(users.some((r) => r.id!.resource === 'UELSEWHERE')).toBe(mode === 'business');
      } finally {
        reader.close();
      }

      // README.md, Benchmark: Pro = 1 + ⌈W/100⌉ + Σ P_w + W; Business+ adds ⌈N_s/1000⌉ + ⌈I/100⌉ + L.
      const calls = s.controls.requests;
      const W = tenant.teams.length;
      let pages = 0;
      for (const t of tenant.teams) {
        const n = tenant.users.filter((u) => workspacesOf(u).includes(t.id)).length;
        const p = calls.filter((c) => c.method === 'users.list' && c.params.team_id === t.id).length;
        // P_w: ⌈N_w/1000⌉, or more where the simulator (as Slack may) returns 10 % short pages.
        expect(p).toBeGreaterThanOrEqual(Math.ceil(n / 1000));
        expect(p).toBeLessThanOrEqual(Math.ceil(n / 900));
        pages += p;
      }
      let formula = 1 + Math.ceil(W / 100) + pages + W;
      if (mode === 'business') {
        const scimUsers = tenant.users.filter((u) => u.scimActive !== undefined).length;
        const unlisted = tenant.users.filter((u) => u.scimActive !== undefined && !workspacesOf(u).some((t) => teamIds.includes(t))).length;
        expect(unlisted).toBe(1);
        formula += Math.ceil(scimUsers / 1000) + Math.ceil(tenant.idpGroups.length / 100) + unlisted;
        expect(calls.filter((c) => c.method === 'users.info')).toHaveLength(unlisted);
      }
      expect(calls).toHaveLength(formula);
      expect(summary.http.requests).toBe(formula);
    });
  }

  it('time-scaled real tier limits on both sides: the sync paces itself and draws no 429', async () => {
    // ×10, not more: the spare token the client leaves in each bucket absorbs arrival jitter of up
    // to one interval (0.3 s here), and a loaded machine delays single requests by tens of ms.
    const scale = 10;
    const tenant = generateTenant({ seed: 8, users: 30_000, userGroups: 20, memberships: 2000, idpGroups: 3 });
    const s = (sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: scale }));
    const out = join(tempDir('slack-c1z-'), 'sync.c1z');
    // The waits the client's limiter booked before each users.list page, as it announced them.
    const waits: number[] = [];
    const onEvent = (e: HttpEvent) => {
      if (e.type === 'waiting' && e.route === 'users.list') waits.push(e.waitMs);
    };
    const started = performance.now();
    const summary = await syncToFile({ connector: slackConnector, secretMap: s.config, out, httpOverrides: { ...FAST, rateLimitScale: scale, onEvent } });
    const seconds = (performance.now() - started) / 1000;
    expect(summary.counts).toEqual(s.expected);
    expect(s.server.calls.filter((c) => c.status === 429)).toHaveLength(0);
    // ~33 users.list calls at Tier 2 (20/min, burst 20, the client a jitter margin behind) × 10: those past the burst wait 0.3 s each.
    const usersList = s.server.calls.filter((c) => c.path.endsWith('/users.list')).length;
    expect(usersList).toBeGreaterThan(30);
    const floorMs = ((usersList - TIER_2.burst) * 60_000) / (TIER_2.perMinute * scale);
    const marginMs = TIER_2.jitterMs;
    // It does wait for the limit: not faster than the floor, however fast the machine.
    expect(seconds * 1000).toBeGreaterThanOrEqual(floorMs * 0.95);
    // And the limiter books no more than the limit needs: only pages past the burst wait, and
    // together the waits come to at most the floor (time spent on the work counts towards them).
    expect(waits.length).toBeLessThanOrEqual(usersList - TIER_2.burst + 1);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(floorMs + marginMs + 1);
    // 30,000 users written to SQLite: a guard against a hang, not a budget (a loaded machine needs a minute).
  }, 300_000);
});
