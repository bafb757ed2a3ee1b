// The runtime issue's "done means": the handler invoked the way Lambda does (event + context, warm
// starts), against moto (S3 + Secrets Manager) and an app simulator (Fullstory SCIM). Every failure
// leaves the previous object byte-identical, names its cause, and never logs the secret.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connector as fullstoryConnector } from '../../../lambdas/fullstory/connector.ts';
import { type FullstorySim, generateTenant, startFullstorySim } from '../../../lambdas/fullstory/sim/index.ts';
import { type HandlerDeps, makeSyncHandler, type SkippedResult, type SyncResult } from '../../../shared/aws/handler.ts';
import { clearSecretCache } from '../../../shared/aws/secrets.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { pageBudget } from '../../../shared/sync/budget.ts';
import { createBucket, createSecret, s3Client, secretsClient } from '../../support/aws.ts';
import { captured } from '../../support/capture.ts';
import { runDurable } from '../../support/durable.ts';
import { fakeDefinition } from '../../support/fake-connector.ts';
import { tempDir } from '../../support/tmp.ts';

const TOKEN = 'scim-Secret-Token-4f9a7c21e8';
const USERS = 260;

let sim: FullstorySim;
const s3 = () => s3Client();
const sm = () => secretsClient();
let bucket: string;
const KEY = 'baton/fullstory/sync.c1z';
const LEASE = 'baton/fullstory/.lease.json';

async function objectExists(key: string): Promise<boolean> {
  return s3()
    .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    .then(
      () => true,
      () => false,
    );
}

async function objectBytes(key = KEY): Promise<Buffer> {
  const o = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await o.Body!.transformToByteArray());
}

/** A small tmpfs stands in for a full /tmp; mounting one needs root (CI and dev machines here are). */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Work roots handed to handlers: every invocation must leave them empty, whatever the outcome. */
const workRoots: string[] = [];

/** One durable execution of `handler` to its end (as Lambda runs it, offline). */
const invoke = (handler: ReturnType<typeof makeSyncHandler>, event: unknown) => runDurable<SyncResult>(handler, event).then((r) => r.result);

function handlerFor(secretId: string, extra: Partial<HandlerDeps> = {}, env: Record<string, string> = {}) {
  const workRoot = tempDir('handler-');
  workRoots.push(workRoot);
  return makeSyncHandler(fullstoryConnector, {
    s3: s3(),
    secrets: sm(),
    env: { BUCKET: bucket, OBJECT_KEY: KEY, SECRET_ID: secretId, WORK_ROOT: workRoot, MIN_FREE_TMP_MB: '1', SLICE_MAX_ATTEMPTS: '1', ...env },
    httpOverrides: { baseBackoffMs: 5, maxBackoffMs: 40, timeoutMs: 1500, maxRetries: 4 },
    ...extra,
  });
}

beforeAll(async () => {
  sim = await startFullstorySim({ tenant: generateTenant({ seed: 7, users: USERS }), scimToken: TOKEN, rateLimits: 'off', scimPageCap: 50 });
  bucket = await createBucket(s3(), 'runtime');
});
afterAll(async () => sim.close());
beforeEach(() => {
  sim.server.clearFaults();
  clearSecretCache();
});
afterEach(() => {
  for (const root of workRoots.splice(0)) expect(readdirSync(root), `${root} should be empty after the invocation`).toEqual([]);
});

/** A good secret, and a good object already in place from a first sync. */
async function withGoodObject(): Promise<{ secretId: string; before: Buffer }> {
  const secretId = await createSecret(sm(), sim.config('scim'), 'baton/fullstory');
  const first = await captured(() => invoke(handlerFor(secretId), {}));
  expect(first.error).toBeUndefined();
  return { secretId, before: await objectBytes() };
}

async function expectFailureKeepsObject(run: () => Promise<unknown>, before: Buffer, cause: RegExp): Promise<string> {
  const r = await captured(run);
  expect(r.error, 'the invocation should fail').toBeInstanceOf(Error);
  expect(r.error!.message).toMatch(cause);
  expect(r.error!.message).not.toContain('\n');
  expect(r.output).toContain('"sync failed"');
  expect(r.output).toContain('"SyncFailed"');
  expect(r.output + r.error!.message + (r.error!.stack ?? '')).not.toContain(TOKEN);
  expect((await objectBytes()).equals(before)).toBe(true);
  return r.output;
}

describe('sync handler against moto and the Fullstory simulator', () => {
  it('fresh bucket and secret → invoke → readable object; a second warm invoke replaces it', async () => {
    const secretId = await createSecret(sm(), sim.config('scim'), 'baton/fullstory');
    const handler = handlerFor(secretId);
    const first = await captured(() => invoke(handler, {}));
    expect(first.error).toBeUndefined();
    expect(first.value).toMatchObject({
      bucket,
      key: KEY,
      uploaded: true,
      counts: { resourceTypes: 1, resources: sim.tenant.seats.length, entitlements: 0, grants: 0 },
    });
    expect(first.output).toContain('"sync succeeded"');
    expect(first.output).toMatch(/"SyncSucceeded"/);
    expect(first.output).not.toContain(TOKEN);
    const file = join(tempDir(), 'got.c1z');
    await writeFile(file, await objectBytes());
    const reader = await openC1z(file);
    expect(reader.sync.syncId).toBe(first.value!.syncId);
    expect(reader.counts().resources).toBe(sim.tenant.seats.length);
    reader.close();

    const second = await captured(() =>
      invoke(handler, { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2026-11-22T20:00:00Z', resources: [], detail: {} }),
    );
    expect(second.error).toBeUndefined();
    expect(second.value!.syncId).not.toBe(first.value!.syncId);
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: KEY }));
    expect(head.Metadata?.['sync-id']).toBe(second.value!.syncId);
    expect(head.ContentType).toBe('application/c1z');
  });

  it('dryRun syncs without touching the object', async () => {
    const { secretId, before } = await withGoodObject();
    const r = await captured(() => invoke(handlerFor(secretId), { dryRun: true }));
    expect(r.value).toMatchObject({ dryRun: true, uploaded: false });
    expect((await objectBytes()).equals(before)).toBe(true);
  });

  it('an unknown manual payload is refused before anything runs', async () => {
    const { secretId, before } = await withGoodObject();
    await expectFailureKeepsObject(() => invoke(handlerFor(secretId), { dryrun: true }), before, /unrecognised event.*dryrun/);
  });

  it('no such secret', async () => {
    const { before } = await withGoodObject();
    await expectFailureKeepsObject(() => invoke(handlerFor('baton/does-not-exist'), {}), before, /baton\/does-not-exist/);
  });

  it('secret that is not JSON', async () => {
    const { before } = await withGoodObject();
    const id = await createSecret(sm(), `BATON_SCIM_TOKEN=${TOKEN}`, 'baton/fullstory');
    await expectFailureKeepsObject(() => invoke(handlerFor(id), {}), before, /not (valid )?JSON/i);
  });

  it('a required key missing', async () => {
    const { before } = await withGoodObject();
    const id = await createSecret(sm(), { BATON_SCIM_TOKEN: TOKEN }, 'baton/fullstory');
    await expectFailureKeepsObject(() => invoke(handlerFor(id), {}), before, /BATON_SCIM_BASE_URL/);
  });

  it('401 from the app (token revoked after it was stored)', async () => {
    const { before } = await withGoodObject();
    const id = await createSecret(sm(), { ...sim.config('scim'), BATON_SCIM_TOKEN: `${TOKEN}-revoked` }, 'baton/fullstory');
    const output = await expectFailureKeepsObject(() => invoke(handlerFor(id), {}), before, /BATON_SCIM_TOKEN was rejected \(HTTP 401\)/);
    expect(output).not.toContain(`${TOKEN}-revoked`);
  });

  it('a burst of 5xx recovers', async () => {
    const { secretId } = await withGoodObject();
    sim.server.fault({ kind: '5xx', times: 3, pathIncludes: '/Users' });
    const r = await captured(() => invoke(handlerFor(secretId), {}));
    expect(r.error).toBeUndefined();
    expect(r.value!.counts.resources).toBe(sim.tenant.seats.length);
    expect(r.output).toMatch(/"ApiRetries":\s*[3-9]/);
  });

  it('persistent 5xx fails', async () => {
    const { secretId, before } = await withGoodObject();
    sim.server.fault({ kind: '5xx', times: Infinity, pathIncludes: '/Users' });
    await expectFailureKeepsObject(() => invoke(handlerFor(secretId), {}), before, /HTTP 500/);
  });

  it('429 with Retry-After waits and succeeds', async () => {
    const { secretId } = await withGoodObject();
    sim.failWith(429, { times: 1, retryAfterSeconds: 1, pathIncludes: '/Users' });
    const started = Date.now();
    const r = await captured(() => invoke(handlerFor(secretId), {}));
    expect(r.error).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(r.output).toMatch(/"ApiThrottles":\s*1\b/);
  });

  it('malformed JSON fails', async () => {
    const { secretId, before } = await withGoodObject();
    sim.server.fault({ kind: 'malformed', times: Infinity, pathIncludes: '/Users' });
    await expectFailureKeepsObject(() => invoke(handlerFor(secretId), {}), before, /not valid JSON|JSON/);
  });

  it('a truncated body fails', async () => {
    const { secretId, before } = await withGoodObject();
    sim.server.fault({ kind: 'truncated', times: Infinity, pathIncludes: '/Users' });
    await expectFailureKeepsObject(() => invoke(handlerFor(secretId), {}), before, /JSON|truncated/);
  });

  it('a timeout fails', async () => {
    const { secretId, before } = await withGoodObject();
    sim.server.fault({ kind: 'timeout', times: Infinity, pathIncludes: '/Users' });
    await expectFailureKeepsObject(() => invoke(handlerFor(secretId), {}), before, /timed out|no complete response (from \S+ )?within 1500 ms/);
  });

  it('S3 refusing the upload', async () => {
    const { secretId, before } = await withGoodObject();
    // moto does not enforce bucket policies, so the refusal is injected at the client, for writes only.
    const refusing = s3();
    refusing.middlewareStack.add(
      (next, ctx) => async (args) => {
        if (['PutObjectCommand', 'CreateMultipartUploadCommand', 'UploadPartCommand'].includes(ctx.commandName ?? '')) {
          throw new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'Access Denied' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'refuseWrites' },
    );
    void PutObjectCommand;
    await expectFailureKeepsObject(() => invoke(handlerFor(secretId, { s3: refusing }), {}), before, /AccessDenied/);
  });

  it('not enough room in /tmp fails before syncing', async () => {
    const { secretId, before } = await withGoodObject();
    const requests = sim.server.count();
    await expectFailureKeepsObject(() => invoke(handlerFor(secretId, {}, { MIN_FREE_TMP_MB: String(1024 ** 3) }), {}), before, /not enough free space/);
    expect(sim.server.count()).toBe(requests);
  });

  it.skipIf(!canMountTmpfs())('a disk that fills between pages fails the run in one line: SyncFailed, lease released, work folder removed', async () => {
    const { before } = await withGoodObject();
    const root = mkdtempSync(join(tmpdir(), 'full-tmp-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', root]);
    try {
      const secretId = await createSecret(sm(), { BATON_TOKEN: 'fake-token-value' }, 'baton/fake');
      // 4,900 users (under one write batch) stay buffered until the engine reads the written
      // resources back to start the access phase: the disk fills there, between pages, outside
      // any page's own error handling.
      const definition = fakeDefinition({ users: 4900, groups: 0, orgs: 0, teamsPerOrg: 0, pageSize: 700 });
      const env = { BUCKET: bucket, OBJECT_KEY: KEY, SECRET_ID: secretId, WORK_ROOT: root, MIN_FREE_TMP_MB: '0.1', SLICE_MAX_ATTEMPTS: '1' };
      const handler = makeSyncHandler(definition, { s3: s3(), secrets: sm(), env });
      const output = await expectFailureKeepsObject(() => invoke(handler, {}), before, /^fake sync failed: .*disk full while writing the sync database/);
      expect(output).not.toMatch(/Unhandled|at \S+ \(/);
      expect(readdirSync(root)).toEqual([]);
      expect(await objectExists(LEASE)).toBe(false);
    } finally {
      execFileSync('umount', [root]);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.skipIf(!canMountTmpfs())('/tmp filling up mid-sync fails loudly and cleans up (small tmpfs; needs root)', async () => {
    const { before } = await withGoodObject();
    const big = await startFullstorySim({ tenant: generateTenant({ seed: 9, users: 12_000 }), scimToken: TOKEN, rateLimits: 'off', scimPageCap: 1000 });
    const root = mkdtempSync(join(tmpdir(), 'full-tmp-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1536k', 'tmpfs', root]);
    try {
      const secretId = await createSecret(sm(), big.config('scim'), 'baton/fullstory');
      const handler = makeSyncHandler(fullstoryConnector, {
        s3: s3(),
        secrets: sm(),
        env: { BUCKET: bucket, OBJECT_KEY: KEY, SECRET_ID: secretId, WORK_ROOT: root, MIN_FREE_TMP_MB: '1', SLICE_MAX_ATTEMPTS: '1' },
      });
      await expectFailureKeepsObject(() => invoke(handler, {}), before, /disk full|no space left/);
      expect(readdirSync(root)).toEqual([]);
    } finally {
      execFileSync('umount', [root]);
      rmSync(root, { recursive: true, force: true });
      await big.close();
    }
  });

  it('a slice budget too short to finish a page fails after MAX_SLICES, naming the setting', async () => {
    const { secretId, before } = await withGoodObject();
    const handler = handlerFor(secretId, { sliceBudget: () => pageBudget(0) }, { MAX_SLICES: '2' });
    await expectFailureKeepsObject(() => invoke(handler, {}), before, /did not finish in 2 slices \(MAX_SLICES\)/);
  });

  it('sync ids that are not KSUIDs (checkpoint keys, a lease) are ignored with a log line, never joined into a path', async () => {
    const { secretId, before } = await withGoodObject();
    const parent = tempDir('ids-');
    const workRoot = join(parent, 'work');
    const victim = join(parent, 'victim');
    mkdirSync(workRoot);
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep.txt'), 'not the sync’s to delete');
    workRoots.push(workRoot);
    const checkpoints = 'baton/fullstory/.checkpoint/';
    for (const name of ['../victim', '..', 'not-a-ksuid'])
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: `${checkpoints}${name}/0.c1z`, Body: 'a checkpoint someone else wrote' }));
    const r = await captured(() => invoke(handlerFor(secretId, {}, { WORK_ROOT: workRoot }), {}));
    expect(r.error).toBeUndefined();
    expect(r.output).toContain('"ignored a checkpoint whose sync id is not a KSUID"');
    expect(r.output).toContain('"syncId":"../victim"');
    expect(readdirSync(victim)).toEqual(['keep.txt']);
    expect(r.value!.syncId).toMatch(/^[0-9A-Za-z]{27}$/);
    expect((await objectBytes()).equals(before)).toBe(false);

    // A lease whose holder names a sync id that is not a KSUID: still honoured, the id not repeated.
    await s3().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: LEASE,
        Body: JSON.stringify({
          executionId: 'arn:other',
          syncId: '../../etc',
          since: '2026-11-27T10:00:00.000Z',
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        }),
      }),
    );
    const skipped = await captured(() => runDurable<SkippedResult>(handlerFor(secretId, {}, { WORK_ROOT: workRoot }), {}));
    expect(skipped.value!.result).toEqual({ skipped: 'a sync is already running: arn:other since 2026-11-27T10:00:00.000Z' });
    expect(skipped.output).toContain('"ignored a sync id that is not a KSUID"');
    // The bucket is shared by this file's tests: leave no lease to skip the next one.
    await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: LEASE }));
  });

  it('a rotated secret is picked up once the cache TTL has passed', async () => {
    const secretId = await createSecret(sm(), sim.config('scim'), 'baton/fullstory');
    const handler = handlerFor(secretId, {}, { SECRET_TTL_SECONDS: '0' });
    expect((await captured(() => invoke(handler, {}))).error).toBeUndefined();
    await sm().send(
      new PutSecretValueCommand({ SecretId: secretId, SecretString: JSON.stringify({ ...sim.config('scim'), BATON_SCIM_TOKEN: 'rotated-token-value-xyz' }) }),
    );
    const r = await captured(() => invoke(handler, {}));
    expect(r.error?.message).toMatch(/BATON_SCIM_TOKEN was rejected/);
  });
});
