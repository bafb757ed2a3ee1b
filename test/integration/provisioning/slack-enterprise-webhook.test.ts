// `baton-serverless webhook slack-enterprise` on loopback against the Grid simulator: a workspace
// membership granted and revoked by ConductorOne's webhook (the user resolved by email from the
// synced c1z), idempotent repeats, a re-sync showing each change, and a role Slack's API cannot set
// errored with its reason.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookCommand } from '../../../bin/cli/webhook.ts';
import { connector } from '../../../lambdas/slack-enterprise/connector.ts';
import { type GridUser, generateGridTenant, type RunningGridSim, startGridSim } from '../../../lambdas/slack-enterprise/sim/index.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { tempDir } from '../../support/tmp.ts';
import { type Issuer, provisionBody, send, startIssuer, TENANT } from './harness.ts';

let issuer: Issuer;
let sim: RunningGridSim;
let url: string;
let stop: () => void;
let served: Promise<void>;
let dir: string;
let user: GridUser;
const TEAM = 'T00000002';

beforeAll(async () => {
  dir = tempDir('prov-grid-');
  issuer = await startIssuer('EdDSA');
  sim = await startGridSim({ tenant: generateGridTenant({ seed: 4, users: 80, workspaces: 2 }), rateLimits: 'off' });
  user = sim.tenant.users.find((u) => !u.teams.has(TEAM) && !u.deactivated && !u.is_bot)!;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let announced!: (line: string) => void;
  const ready = new Promise<string>((resolve) => (announced = resolve));
  served = webhookCommand(
    { connector: 'slack-enterprise', port: 0, tenant: TENANT, jwksUrl: issuer.jwksUrl.href },
    announced,
    () => {},
    { ...sim.config },
    stopped,
  );
  url = /at (\S+) /.exec(await ready)![1]!;
});

afterAll(async () => {
  stop?.();
  await served;
  await sim?.server.close();
  await issuer?.close();
});

let n = 0;
async function grantIds(): Promise<string[]> {
  const out = join(dir, `s${++n}.c1z`);
  await syncToFile({ connector, secretMap: sim.config, out });
  const r = await openC1z(out);
  try {
    return [...r.grants()].map((g) => g.id);
  } finally {
    r.close();
  }
}

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
