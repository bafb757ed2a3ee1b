// `baton-serverless webhook slack-enterprise` on loopback against the Grid simulator: a workspace
// membership granted and revoked by ConductorOne's webhook (the user resolved by email from the
// synced c1z), idempotent repeats, a re-sync showing each change, and a role Slack's API cannot set
// errored with its reason.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connector } from '../../../lambdas/slack-enterprise/connector.ts';
import { type GridUser, generateGridTenant, type RunningGridSim, startGridSim } from '../../../lambdas/slack-enterprise/sim/index.ts';
import { tempDir } from '../../support/tmp.ts';
import { type ServedWebhook, serveWebhook, syncedGrantIds } from '../../support/webhook.ts';
import { type Issuer, provisionBody, send, startIssuer, TENANT } from './harness.ts';

let issuer: Issuer;
let sim: RunningGridSim;
let url: string;
let webhook: ServedWebhook;
let dir: string;
let user: GridUser;
const TEAM = 'T00000002';

beforeAll(async () => {
  dir = tempDir('prov-grid-');
  issuer = await startIssuer('EdDSA');
  sim = await startGridSim({ tenant: generateGridTenant({ seed: 4, users: 80, workspaces: 2 }), rateLimits: 'off' });
  user = sim.tenant.users.find((u) => !u.teams.has(TEAM) && !u.deactivated && !u.is_bot)!;
  webhook = await serveWebhook('slack-enterprise', { tenant: TENANT, jwksUrl: issuer.jwksUrl.href, secrets: sim.config });
  url = webhook.url;
});

afterAll(async () => {
  await webhook?.close();
  await sim?.server.close();
  await issuer?.close();
});

let n = 0;
const grantIds = () => syncedGrantIds(connector, sim.config, join(dir, `s${++n}.c1z`));

describe('Slack Enterprise Grid provisioning through the webhook command', () => {
  it('adds a user to a workspace and removes them, each once', async () => {
    expect(url).toMatch(/\/slack-enterprise$/);
    const appUser = { email: user.email, username: user.username };
    const id = `workspace:${TEAM}:member:user:${user.id}`;
    const grant = () => send(issuer, url, provisionBody({ action: 'grant', entitlementId: `workspace:${TEAM}:member`, appUser }));
    const revoke = () => send(issuer, url, provisionBody({ action: 'revoke', entitlementId: `workspace:${TEAM}:member`, appUser }));
    expect((await grant()).json).toMatchObject({ complete: { comment: expect.stringMatching(/^granted/) } });
    expect((await grant()).json).toMatchObject({ complete: { comment: expect.stringMatching(/^nothing to do/) } });
    expect(await grantIds()).toContain(id);
    expect((await revoke()).json).toMatchObject({ complete: { comment: expect.stringMatching(/^revoked/) } });
    expect((await revoke()).json).toMatchObject({ complete: { comment: expect.stringMatching(/^nothing to do/) } });
    expect(await grantIds()).not.toContain(id);
  });

  it('a guest role is errored with why, and nothing is written', async () => {
    const before = sim.server.calls.filter((c) => c.path.startsWith('/api/admin.users.set')).length;
    const res = await send(
      issuer,
      url,
      provisionBody({ action: 'grant', entitlementId: 'workspaceRole:T00000001:multi_channel_guest:assigned', appUser: { email: user.email } }),
    );
    expect(res.json).toMatchObject({
      errored: { comment: expect.stringMatching(/workspace role "multi_channel_guest" cannot be granted through Slack's API/) },
    });
    expect(sim.server.calls.filter((c) => c.path.startsWith('/api/admin.users.set')).length).toBe(before);
  });
});
