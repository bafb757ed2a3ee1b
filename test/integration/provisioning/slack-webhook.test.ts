// `baton-serverless webhook slack` on loopback against the Slack simulator (Business+): IDP group
// membership through SCIM PATCH, idempotent repeats, a re-sync showing each change, and the
// simulator's write errors (unknown SCIM user, missing admin scope, 5xx, rate limit).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connector as slack } from '../../../lambdas/slack/connector.ts';
import { type RunningSlackSim, SIM_USER_TOKEN, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { tempDir } from '../../support/tmp.ts';
import { type ServedWebhook, serveWebhook, syncedGrantIds } from '../../support/webhook.ts';
import { fixedTenant } from '../../unit/slack/fixture.ts';
import { type Issuer, provisionBody, send, startIssuer, TENANT } from './harness.ts';

let issuer: Issuer;
let sim: RunningSlackSim;
let url: string;
let webhook: ServedWebhook;
const logs: string[] = [];
let dir: string;

beforeAll(async () => {
  dir = tempDir('prov-slack-');
  issuer = await startIssuer('EdDSA');
  sim = await startSlackSim({ tenant: fixedTenant(), mode: 'business', rateLimits: 'off' });
  webhook = await serveWebhook('slack', { tenant: TENANT, jwksUrl: issuer.jwksUrl.href, secrets: sim.config, log: (s) => logs.push(s) });
  url = webhook.url;
});

afterAll(async () => {
  await webhook?.close();
  await sim?.server.close();
  await issuer?.close();
});

let n = 0;
const grantIds = () => syncedGrantIds(slack, sim.config, join(dir, `s${++n}.c1z`));

const erin = { email: 'erin@partner.test', username: 'erin' };
const patches = () => sim.controls.requests.filter((r) => r.api === 'scim' && r.method.startsWith('PATCH')).length;

describe('Slack IDP group provisioning through the webhook command', () => {
  it('serves at /slack and grants, idempotently, then revokes', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/slack$/);
    const id = 'group:G1:member:user:U5';
    expect(await grantIds()).not.toContain(id);
    expect((await send(issuer, url, provisionBody({ action: 'grant', entitlementId: 'group:G1:member', appUser: erin }))).json).toMatchObject({
      complete: { comment: expect.stringMatching(/^granted/) },
    });
    const p = patches();
    expect((await send(issuer, url, provisionBody({ action: 'grant', entitlementId: 'group:G1:member', appUser: erin }))).json).toMatchObject({
      complete: { comment: expect.stringMatching(/^nothing to do/) },
    });
    expect(patches()).toBe(p);
    expect(await grantIds()).toContain(id);
    expect((await send(issuer, url, provisionBody({ action: 'revoke', entitlementId: 'group:G1:member', appUser: erin }))).json).toMatchObject({
      complete: { comment: expect.stringMatching(/^revoked/) },
    });
    expect((await send(issuer, url, provisionBody({ action: 'revoke', entitlementId: 'group:G1:member', appUser: erin }))).json).toMatchObject({
      complete: { comment: expect.stringMatching(/^nothing to do/) },
    });
    expect(await grantIds()).not.toContain(id);
    expect(logs.some((l) => l.startsWith('complete: grant group:G1:member user:U5'))).toBe(true);
  });

  it('a user gone from SCIM since the sync is errored and the group is unchanged', async () => {
    const before = [...sim.tenant.idpGroups[0]!.members];
    const graceUser = sim.tenant.users.find((u) => u.id === 'U8')!;
    const active = graceUser.scimActive;
    graceUser.scimActive = undefined;
    try {
      const res = await send(
        issuer,
        url,
        provisionBody({ action: 'grant', entitlementId: 'group:G1:member', appUser: { email: 'grace@acme.test', profile: { user_id: 'U8' } } }),
      );
      expect(res.json).toMatchObject({ errored: { comment: expect.stringMatching(/not_found/) } });
    } finally {
      graceUser.scimActive = active;
    }
    expect(sim.tenant.idpGroups[0]!.members).toEqual(before);
  });

  it('an entitlement Slack cannot provision (user group) is errored', async () => {
    const res = await send(issuer, url, provisionBody({ action: 'grant', entitlementId: 'userGroup:S1:member', appUser: erin }));
    expect(res.json).toMatchObject({ errored: { comment: 'slack cannot grant userGroup entitlements' } });
  });

  it('a Business+ token without the admin scope is errored, not retried', async () => {
    const token = sim.tenant.tokens[SIM_USER_TOKEN]!;
    const scopes = token.scopes;
    token.scopes = [];
    try {
      const res = await send(issuer, url, provisionBody({ action: 'grant', entitlementId: 'group:G2:member', appUser: erin }));
      expect(res).toMatchObject({
        status: 200,
        json: { errored: { comment: expect.stringMatching(/BATON_BUSINESS_PLUS_TOKEN was refused by Slack SCIM \(HTTP 403/) } },
      });
      expect(JSON.stringify(res.json)).not.toContain(SIM_USER_TOKEN);
    } finally {
      token.scopes = scopes;
    }
  });

  it('SCIM 5xx or a rate limit that outlasts the client answers 503', async () => {
    sim.server.fault({ kind: '5xx', times: Infinity, pathIncludes: '/scim/' });
    try {
      expect((await send(issuer, url, provisionBody({ action: 'grant', entitlementId: 'group:G2:member', appUser: erin }))).status).toBe(503);
    } finally {
      sim.server.clearFaults();
    }
    sim.controls.forceRateLimit({ times: 1000, method: 'scim', retryAfterSec: 0 });
    const res = await send(issuer, url, provisionBody({ action: 'grant', entitlementId: 'group:G2:member', appUser: erin }));
    expect(res.status).toBe(503);
    expect(sim.tenant.idpGroups[1]!.members).not.toContain('U5');
  });
});
