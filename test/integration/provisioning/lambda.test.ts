// The provisioning Lambda against moto: config from Secrets Manager, the instance's sync.c1z from
// S3 (the fallback that supplies full rows), jti replay markers written with If-None-Match.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProvisioningHandler, parseProvisioningEnv, type UrlResponse } from '../../../lambdas/provisioning.ts';
import { connector as segment } from '../../../lambdas/segment/connector.ts';
import { type SegmentSim, startSegmentSim } from '../../../lambdas/segment/sim/index.ts';
import type { AuditLine } from '../../../shared/provisioning/audit.ts';
import type { ProvisionResult } from '../../../shared/provisioning/execute.ts';
import { S3ReplayStore } from '../../../shared/provisioning/replay-s3.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { createBucket, createSecret, s3Client, secretsClient } from '../../support/aws.ts';
import { tempDir } from '../../support/tmp.ts';
import { fixedTenant } from '../../unit/segment/fixture.ts';
import { claimsFor, digest, type Issuer, provisionBody, startIssuer, TENANT, testBody } from './harness.ts';
import { FAST_HTTP } from './local.ts';

const DOMAIN = 'abc123.lambda-url.us-east-1.on.aws';
const JTI_PREFIX = 'provisioning/jti/';

let issuer: Issuer;
let sim: SegmentSim;
let bucket: string;
let handler: ReturnType<typeof makeProvisioningHandler>;
const audit: AuditLine[] = [];
const s3 = s3Client();

async function urlEvent(path: string, body: string, token?: string) {
  const t = token ?? (await issuer.sign(claimsFor(`https://${DOMAIN}${path}`, body)));
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: { authorization: `Bearer ${t}`, 'content-digest': `sha-256=${digest(body)}`, 'content-type': 'application/json' },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: { domainName: DOMAIN, http: { method: 'POST', path } },
  };
}

beforeAll(async () => {
  const dir = tempDir('prov-lambda-');
  issuer = await startIssuer('RS256');
  sim = await startSegmentSim({ tenant: fixedTenant(), rateLimits: 'off' });
  bucket = await createBucket(s3, 'prov');
  const secretId = await createSecret(secretsClient(), sim.config(), 'baton/segment');
  const file = join(dir, 'sync.c1z');
  await syncToFile({ connector: segment, secretMap: sim.config(), out: file, httpOverrides: FAST_HTTP });
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'c1z/segment-prod/sync.c1z', Body: await readFile(file) }));
  handler = makeProvisioningHandler({
    s3,
    secrets: secretsClient(),
    audit: { record: (l) => audit.push(l), rejected: () => {} },
    httpOverrides: FAST_HTTP,
    env: {
      BUCKET: bucket,
      TENANT,
      JTI_PREFIX,
      JWKS_URL: issuer.jwksUrl.href,
      WORK_ROOT: dir,
      INSTANCES: JSON.stringify({
        'segment-prod': { connector: 'segment', secretId, objectKey: 'c1z/segment-prod/sync.c1z' },
        'segment-unsynced': { connector: 'segment', secretId, objectKey: 'c1z/segment-unsynced/sync.c1z' },
      }),
    },
  });
});

afterAll(async () => {
  await sim?.close();
  await issuer?.close();
});

describe('provisioning Lambda (moto)', () => {
  it('answers the test event and refuses the same token again (S3 replay marker)', async () => {
    const body = testBody();
    const token = await issuer.sign(claimsFor(`https://${DOMAIN}/segment-prod`, body, { jti: 'jti-replay-1' }));
    const first = (await handler(await urlEvent('/segment-prod', body, token))) as UrlResponse;
    expect(first).toMatchObject({ statusCode: 200, body: '{"version":"v1"}' });
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `${JTI_PREFIX}jti-replay-1` }));
    const second = (await handler(await urlEvent('/segment-prod', body, token))) as UrlResponse;
    expect(second.statusCode).toBe(401);
  });

  it('grants from a webhook with rows read from the bucket c1z, then revokes by manual invoke', async () => {
    const body = provisionBody({ action: 'grant', entitlementId: 'role:r-fn:member', appUser: { email: 'grace@example.com' } });
    const res = (await handler(await urlEvent('/segment-prod', body))) as UrlResponse;
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ version: 'v1', complete: { comment: expect.stringMatching(/^granted/) } });
    expect(sim.tenant.users[1]!.permissions.some((p) => p.roleId === 'r-fn' && p.resources.some((r) => r.type === 'WORKSPACE'))).toBe(true);

    const manual = (await handler({
      action: 'revoke',
      connector: 'segment-prod',
      entitlementId: 'role:r-fn:member',
      principalId: 'user:u2',
    })) as ProvisionResult;
    expect(manual).toMatchObject({ status: 'complete', comment: expect.stringMatching(/^revoked/) });
    expect(sim.tenant.users[1]!.permissions.some((p) => p.roleId === 'r-fn' && p.resources.some((r) => r.type === 'WORKSPACE'))).toBe(false);
    expect(audit.map((l) => [l.action, l.instance, l.outcome, l.taskId])).toEqual([
      ['grant', 'segment-prod', 'complete', 'task-1'],
      ['revoke', 'segment-prod', 'complete', 'manual'],
    ]);
  });

  it('an instance whose sync.c1z is not in the bucket yet is errored; an unknown path is errored', async () => {
    const body = provisionBody({ action: 'grant', entitlementId: 'role:r-fn:member', appUser: { email: 'grace@example.com' } });
    const res = (await handler(await urlEvent('/segment-unsynced', body))) as UrlResponse;
    expect(JSON.parse(res.body)).toMatchObject({ errored: { comment: expect.stringMatching(/no sync yet/) } });
    const other = (await handler(await urlEvent('/slack-prod', body))) as UrlResponse;
    expect(JSON.parse(other.body)).toMatchObject({ errored: { comment: expect.stringMatching(/no connector instance "slack-prod"/) } });
  });

  it('the S3 replay store claims a jti once', async () => {
    const store = new S3ReplayStore({ client: s3, bucket, prefix: JTI_PREFIX });
    expect(await store.claim('jti-direct', Date.now() + 60_000)).toBe(true);
    expect(await store.claim('jti-direct', Date.now() + 60_000)).toBe(false);
    expect(await store.claim('jti-other', Date.now() + 60_000)).toBe(true);
  });

  it('the environment is checked with zod, naming the keys', () => {
    expect(() =>
      parseProvisioningEnv({
        BUCKET: 'b',
        TENANT: 'acme.conductor.one',
        JTI_PREFIX: 'j/',
        INSTANCES: '{"x":{"connector":"nope","secretId":"s","objectKey":"k"}}',
      }),
    ).toThrow(/BUCKET: .*; INSTANCES\.x\.connector: not a connector in the registry/);
    expect(() => parseProvisioningEnv({ BUCKET: 'bucket', TENANT: 'acme.conductor.one', JTI_PREFIX: 'j/', INSTANCES: '{' })).toThrow(/INSTANCES: must be JSON/);
  });
});
