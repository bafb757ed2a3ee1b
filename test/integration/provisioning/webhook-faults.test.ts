// The webhook under faults: an app that hangs is called off within the answer budget (503, its
// calls cancelled, no late write), a shutdown drains at once, a JWKS outage is 503 (C1 retries),
// an oversized body is 413 with a log line, no answer carries a local path, and the command
// refuses at start a configuration that could never work.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookCommand } from '../../../bin/cli/webhook.ts';
import { connector as segment } from '../../../lambdas/segment/connector.ts';
import { type SegmentSim, startSegmentSim } from '../../../lambdas/segment/sim/index.ts';
import { startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { MAX_BODY_BYTES, startWebhookServer } from '../../../shared/provisioning/http-server.ts';
import { MemoryReplayStore } from '../../../shared/provisioning/replay.ts';
import { createVerifier, remoteJwks } from '../../../shared/provisioning/verify.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/segment/fixture.ts';
import { type Issuer, provisionBody, send, startIssuer, TENANT } from './harness.ts';
import { type Local, startLocal } from './local.ts';

let issuer: Issuer;
let sim: SegmentSim;
let dir: string;
let c1z: string;

const grace = { email: 'grace@example.com', profile: { user_id: 'u2' } };
const grant = () => provisionBody({ action: 'grant', entitlementId: 'role:r-wh:member', appUser: grace });
const writes = () => sim.server.calls.filter((c) => c.method !== 'GET').length;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(check()).toBe(true);
}

beforeAll(async () => {
  issuer = await startIssuer('ES256');
  sim = await startSegmentSim({ tenant: fixedTenant(), rateLimits: 'off' });
  dir = tempDir('prov-faults-');
  c1z = join(dir, 'segment.c1z');
  await syncToFile({ connector: segment, secretMap: sim.config(), out: c1z });
});
afterAll(async () => {
  await sim?.close();
  await issuer?.close();
});

describe('an app that hangs', () => {
  let local: Local;
  beforeAll(async () => {
    local = await startLocal(issuer, segment, sim.config(), dir, { budgetMs: 300, c1zPath: c1z });
  });
  afterAll(async () => local?.close());

  it('is called off at the answer budget: 503, the call in flight cancelled, no write afterwards', async () => {
    const before = writes();
    sim.server.fault({ kind: 'timeout', times: Number.POSITIVE_INFINITY });
    try {
      const r = await send(issuer, local.url(), grant());
      expect(r.status).toBe(503);
      expect(JSON.stringify(r.json)).toContain("the webhook's answer budget of 0.3 s ran out");
      // The handler ends on its own (its request was aborted, nothing retried): its audit line says so.
      await until(() => local.audit.length === 1);
      expect(local.audit[0]).toMatchObject({ outcome: 'transient', error: expect.stringContaining('cancelled') });
      expect(local.rejected.some((l) => l.startsWith('called off'))).toBe(true);
    } finally {
      sim.server.clearFaults();
    }
    expect(writes()).toBe(before);
  });
});

describe('shutting down', () => {
  it('answers deliveries in flight with 503 and closes without waiting for the app', async () => {
    const local = await startLocal(issuer, segment, sim.config(), dir, { c1zPath: c1z });
    sim.server.fault({ kind: 'timeout', times: Number.POSITIVE_INFINITY });
    const hanging = () => sim.server.calls.filter((c) => c.status === 0).length;
    const before = hanging();
    try {
      const pending = send(issuer, local.url(), grant());
      await until(() => hanging() > before);
      await local.close();
      const r = await pending;
      expect(r.status).toBe(503);
      expect(JSON.stringify(r.json)).toContain('shutting down');
    } finally {
      sim.server.clearFaults();
    }
  });
});

describe('transport', () => {
  it('a JWKS outage answers 503, so ConductorOne delivers again', async () => {
    const rejected: string[] = [];
    const server = await startWebhookServer({
      verify: createVerifier({ tenant: TENANT, jwks: remoteJwks(new URL('http://127.0.0.1:1/auth/v1/jwks')), replay: new MemoryReplayStore() }),
      instance: async () => undefined,
      audit: { record: () => {}, rejected: (r) => rejected.push(r) },
    });
    try {
      const r = await send(issuer, `${server.url}/segment`, grant());
      expect(r.status).toBe(503);
      expect(JSON.stringify(r.json)).toContain("cannot fetch the tenant's signing keys");
    } finally {
      await server.close();
    }
  });

  it('a body over 5 MiB is refused with 413 and a log line', async () => {
    const local = await startLocal(issuer, segment, sim.config(), dir, { c1zPath: c1z });
    try {
      const res = await fetch(local.url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(MAX_BODY_BYTES + 1024) });
      expect(res.status).toBe(413);
      expect(local.rejected).toEqual([expect.stringContaining('request body over 5 MiB refused with 413')]);
    } finally {
      await local.close();
    }
  });

  it('no answer carries a local path', async () => {
    const missing = join(dir, 'deleted-meanwhile.c1z');
    const local = await startLocal(issuer, segment, sim.config(), dir, { c1zPath: missing });
    try {
      const r = await send(issuer, local.url(), grant());
      expect(JSON.stringify(r.json)).toContain('the synced rows cannot be read');
      expect(JSON.stringify(r.json)).not.toContain(dir);
    } finally {
      await local.close();
    }
  });
});

describe('webhook start-up refuses what cannot work', () => {
  const start = (over: Record<string, string>, env: Record<string, string> = sim.config()) =>
    webhookCommand(
      { connector: 'segment', port: 0, tenant: TENANT, c1z, ...over },
      () => {},
      () => {},
      env,
      Promise.resolve(),
    );

  it.each([
    [
      { tenant: 'https://acme.conductor.one' },
      '--tenant takes your ConductorOne tenant\'s host name, e.g. acme.conductor.one, not "https://acme.conductor.one"; use --tenant acme.conductor.one',
    ],
    [{ publicUrl: 'ftp://x y' }, '--public-url takes an http(s) URL such as https://example.com/path, not "ftp://x y"'],
    [{ jwksUrl: 'garbage' }, '--jwks-url takes an http(s) URL such as https://example.com/path, not "garbage"'],
  ])('%j', async (over, message) => {
    await expect(start(over)).rejects.toThrow(`webhook: ${message}`);
  });

  it('a corrupt --c1z', async () => {
    const bad = join(dir, 'corrupt.c1z');
    writeFileSync(bad, 'not a c1z at all');
    await expect(start({ c1z: bad })).rejects.toThrow(/^webhook: --c1z .*corrupt\.c1z cannot be read: /);
  });

  it("another connector's --c1z", async () => {
    const slackSim = await startSlackSim({ tenant: (await import('../../unit/slack/fixture.ts')).fixedTenant(), rateLimits: 'off' });
    try {
      const slackFile = join(dir, 'slack.c1z');
      await syncToFile({ connector: (await import('../../../lambdas/slack/connector.ts')).connector, secretMap: slackSim.config, out: slackFile });
      await expect(start({ c1z: slackFile })).rejects.toThrow(/that segment does not sync: give a sync of segment made with this configuration/);
    } finally {
      await slackSim.server.close();
    }
  });
});
