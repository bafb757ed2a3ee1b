// The webhook endpoint over loopback against the Segment simulator: authentication failures change
// nothing; each provisionable entitlement kind round-trips and a fresh sync shows it.

import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connector as segment } from '../../../lambdas/segment/connector.ts';
import { type SegmentSim, startSegmentSim } from '../../../lambdas/segment/sim/index.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/segment/fixture.ts';
import { claimsFor, digest, type Issuer, provisionBody, send, startIssuer, TENANT, testBody } from './harness.ts';
import { type Local, startLocal } from './local.ts';

let issuer: Issuer;
let sim: SegmentSim;
let local: Local;

const grace = { email: 'grace@example.com', profile: { user_id: 'u2' } };
const ada = { email: 'ADA@example.com' };

beforeAll(async () => {
  issuer = await startIssuer('ES256');
  sim = await startSegmentSim({ tenant: fixedTenant(), rateLimits: 'off' });
  local = await startLocal(issuer, segment, sim.config(), tempDir('prov-segment-'));
});

afterAll(async () => {
  await local?.close();
  await sim?.close();
  await issuer?.close();
});

const writes = () => sim.server.calls.filter((c) => c.method !== 'GET').length;

describe('authentication (401, nothing changes)', () => {
  const body = provisionBody({ action: 'grant', entitlementId: 'role:r-wh:member', appUser: grace });

  const cases: [string, (url: string) => Promise<{ status: number }>][] = [
    ['no token', (url) => send(issuer, url, body, { token: '' })],
    ['a token signed by another key', async (url) => send(issuer, url, body, { key: (await generateKeyPair('ES256')).privateKey })],
    ['wrong iss', (url) => send(issuer, url, body, { claims: { iss: 'evil.conductor.one' } })],
    ['wrong aud', (url) => send(issuer, url, body, { claims: { aud: 'example.com' } })],
    ['wrong htu (other instance)', (url) => send(issuer, url, body, { claims: { htu: `${new URL(url).origin}/slack` } })],
    ['wrong htm', (url) => send(issuer, url, body, { claims: { htm: 'PUT' } })],
    ['expired', (url) => send(issuer, url, body, { claims: { exp: Math.floor(Date.now() / 1000) - 60 } })],
    ['not yet valid', (url) => send(issuer, url, body, { claims: { nbf: Math.floor(Date.now() / 1000) + 300 } })],
    ['c1typ other than wh', (url) => send(issuer, url, body, { claims: { c1typ: 'api' } })],
    ['Content-Digest not matching the body', (url) => send(issuer, url, body, { digestHeader: `sha-256=${digest('{}')}` })],
    ['htb_s256 not matching the body', (url) => send(issuer, url, body, { claims: { htb_s256: digest('{}') } })],
    ['no Content-Digest', (url) => send(issuer, url, body, { digestHeader: '' })],
  ];

  it.each(cases)('%s', async (_name, attempt) => {
    const before = structuredClone(sim.tenant);
    const w = writes();
    const res = await attempt(local.url());
    expect(res.status).toBe(401);
    expect(writes()).toBe(w);
    expect(sim.tenant).toEqual(before);
  });

  it('a replayed token is refused after its first use', async () => {
    const url = local.url();
    const token = await issuer.sign(claimsFor(url, testBody()));
    expect((await send(issuer, url, testBody(), { token })).status).toBe(200);
    expect((await send(issuer, url, testBody(), { token })).status).toBe(401);
    expect(local.rejected.at(-1)).toMatch(/already used/);
  });
});

describe('events', () => {
  it('PayloadTest answers {"version":"v1"}', async () => {
    const res = await send(issuer, local.url(), testBody());
    expect(res).toMatchObject({ status: 200, json: { version: 'v1' } });
  });

  it('an unknown event, an unknown instance, an unknown entitlement and a certify task are errored', async () => {
    const w = writes();
    const other = JSON.stringify({ version: 'v1', event: 'c1.webhooks.v1.PayloadWorkflowStep', payload: {} });
    expect((await send(issuer, local.url(), other)).json).toMatchObject({ version: 'v1', errored: { comment: expect.stringMatching(/not handled/) } });
    const grant = provisionBody({ action: 'grant', entitlementId: 'role:r-wh:member', appUser: grace });
    expect((await send(issuer, local.url('nope'), grant)).json).toMatchObject({ errored: { comment: expect.stringMatching(/no connector instance "nope"/) } });
    const unknownEnt = provisionBody({ action: 'grant', entitlementId: 'role:r-missing:member', appUser: grace });
    expect((await send(issuer, local.url(), unknownEnt)).json).toMatchObject({ errored: { comment: expect.stringMatching(/latest sync/) } });
    const certify = provisionBody({ action: 'certify', entitlementId: 'role:r-wh:member', appUser: grace });
    expect((await send(issuer, local.url(), certify)).json).toMatchObject({ errored: { comment: expect.stringMatching(/not a grant or revoke task/) } });
    const nobody = provisionBody({ action: 'grant', entitlementId: 'role:r-wh:member', appUser: { email: 'nobody@example.com' } });
    expect((await send(issuer, local.url(), nobody)).json).toMatchObject({ errored: { comment: expect.stringMatching(/matches no user/) } });
    expect(writes()).toBe(w);
  });
});

describe('grant then revoke, every Segment entitlement kind', () => {
  const kinds: [string, string, { email: string; profile?: Record<string, unknown> }, string][] = [
    ['workspace role', 'role:r-wh:member', grace, 'role:r-wh:member:user:u2'],
    ['source permission', 'source:src2:source_read_only', grace, 'source:src2:source_read_only:user:u2'],
    ['function permission', 'function:fnD:functions_admin', grace, 'function:fnD:functions_admin:user:u2'],
    ['warehouse permission', 'warehouse:wh1:warehouse_admin', ada, 'warehouse:wh1:warehouse_admin:user:u1'],
    ['space permission', 'space:sp1:engage_user', ada, 'space:sp1:engage_user:user:u1'],
  ];

  it.each(kinds)('%s', async (_name, entitlementId, appUser, grantId) => {
    expect(await local.grantIds()).not.toContain(grantId);
    const grant = await send(issuer, local.url(), provisionBody({ action: 'grant', entitlementId, appUser }));
    expect(grant).toMatchObject({ status: 200, json: { version: 'v1', complete: { comment: expect.stringMatching(/^granted /) } } });
    const again = await send(issuer, local.url(), provisionBody({ action: 'grant', entitlementId, appUser, nested: true }));
    expect(again.json).toMatchObject({ complete: { comment: expect.stringMatching(/^nothing to do/) } });
    expect(await local.grantIds()).toContain(grantId);

    const revoke = await send(issuer, local.url(), provisionBody({ action: 'revoke', entitlementId, appUser }));
    expect(revoke.json).toMatchObject({ complete: { comment: expect.stringMatching(/^revoked /) } });
    const revokeAgain = await send(issuer, local.url(), provisionBody({ action: 'revoke', entitlementId, appUser }));
    expect(revokeAgain.json).toMatchObject({ complete: { comment: expect.stringMatching(/^nothing to do/) } });
    expect(await local.grantIds()).not.toContain(grantId);
  });

  it('group membership: revoke then grant back, by email', async () => {
    const id = 'group:g1:member:user:u2';
    expect(await local.grantIds()).toContain(id);
    const revoke = await send(issuer, local.url(), provisionBody({ action: 'revoke', entitlementId: 'group:g1:member', appUser: grace }));
    expect(revoke.json).toMatchObject({ complete: {} });
    expect(sim.tenant.groups[0]!.memberIds).toEqual(['u1']);
    expect(await local.grantIds()).not.toContain(id);
    // Segment's remove is by email and idempotent: a second revoke still succeeds.
    expect((await send(issuer, local.url(), provisionBody({ action: 'revoke', entitlementId: 'group:g1:member', appUser: grace }))).json).toMatchObject({
      complete: {},
    });
    const grant = await send(issuer, local.url(), provisionBody({ action: 'grant', entitlementId: 'group:g1:member', appUser: grace }));
    expect(grant.json).toMatchObject({ complete: { comment: expect.stringMatching(/^granted/) } });
    expect(await local.grantIds()).toContain(id);
    // Granting it again changes nothing, and says so.
    const again = await send(issuer, local.url(), provisionBody({ action: 'grant', entitlementId: 'group:g1:member', appUser: grace }));
    expect(again.json).toMatchObject({ complete: { comment: expect.stringMatching(/^nothing to do/) } });
    expect(sim.server.calls.some((c) => c.method === 'DELETE' && c.path === '/group/g1/users')).toBe(true);
  });

  it('a user without a login email cannot join a group (B7), and nothing is written', async () => {
    const w = writes();
    const res = await send(
      issuer,
      local.url(),
      provisionBody({ action: 'grant', entitlementId: 'group:g1:member', appUser: { username: 'plato', profile: { user_id: 'u3' } } }),
    );
    expect(res.json).toMatchObject({ errored: { comment: expect.stringMatching(/has no login \(email\)/) } });
    expect(writes()).toBe(w);
  });

  it('one audit line per action with the task, instance, entitlement, principal and outcome', () => {
    const line = local.audit.find((l) => l.entitlement === 'role:r-wh:member' && l.action === 'grant');
    expect(line).toMatchObject({ taskId: 'task-1', instance: 'segment', connector: 'segment', principal: 'user:u2', outcome: 'complete', effect: 'changed' });
    expect(line!.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(local.audit)).not.toContain(sim.tenant.token);
  });
});

describe('failures', () => {
  it('the app failing with 5xx after the client retries answers 503 (C1 retries)', async () => {
    sim.server.fault({ kind: '5xx', times: Infinity });
    try {
      const res = await send(issuer, local.url(), provisionBody({ action: 'grant', entitlementId: 'role:r-fn:member', appUser: grace }));
      expect(res.status).toBe(503);
    } finally {
      sim.server.clearFaults();
    }
    expect(local.audit.at(-1)).toMatchObject({ outcome: 'transient' });
  });

  it('a token that may not write (missing scope) is errored, not retried', async () => {
    sim.denyWrites(true);
    try {
      const res = await send(issuer, local.url(), provisionBody({ action: 'grant', entitlementId: 'role:r-fn:member', appUser: grace }));
      expect(res).toMatchObject({ status: 200, json: { errored: { comment: expect.stringMatching(/HTTP 403/) } } });
      expect(JSON.stringify(res.json)).not.toContain(sim.tenant.token);
    } finally {
      sim.denyWrites(false);
    }
  });

  it('the tenant JWKS was fetched once and cached', () => {
    expect(issuer.fetches()).toBe(1);
    expect(TENANT).toBe('acme.conductor.one');
  });
});
