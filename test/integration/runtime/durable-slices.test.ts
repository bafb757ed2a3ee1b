// Syncs of any size: the durable handler runs a sync as slices across invocations (the SDK's local
// runner replays it per invocation, offline), against moto and the Slack simulator. A budget of a
// few pages per slice, one page at a time, forces the same slices on any machine; the S3 traffic is
// recorded to show when each object was written.

import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';
import { generateTenant, type RunningSlackSim, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { type HandlerDeps, makeSyncHandler, type SkippedResult, type SyncResult } from '../../../shared/aws/handler.ts';
import { acquireLease, releaseLease } from '../../../shared/aws/lease.ts';
import { clearSecretCache } from '../../../shared/aws/secrets.ts';
import { newKsuid } from '../../../shared/c1z/ksuid.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { pageBudget, unlimitedBudget } from '../../../shared/sync/budget.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { createBucket, createSecret, s3Client, secretsClient } from '../../support/aws.ts';
import { captured } from '../../support/capture.ts';
import { runDurable } from '../../support/durable.ts';
import { tempDir } from '../../support/tmp.ts';

const SCALE = 10;
const KEY = 'baton/slack/sync.c1z';
const CHECKPOINTS = 'baton/slack/.checkpoint/';
const LEASE = 'baton/slack/.lease.json';
let sim: RunningSlackSim;
let bucket: string;
let secretId: string;
let oneSlice: Ids;

interface Ids {
  resources: string[];
  entitlements: string[];
  grants: string[];
}

async function idsOf(file: string): Promise<Ids> {
  const r = await openC1z(file);
  try {
    return {
      resources: [...r.resources()].map((x) => `${x.id?.resourceType}:${x.id?.resource}`).sort(),
      entitlements: [...r.entitlements()].map((x) => x.id).sort(),
      grants: [...r.grants()].map((x) => x.id).sort(),
    };
  } finally {
    r.close();
  }
}

/** An S3 client that records the key of every write and delete, in order. */
function recordingS3(): { client: S3Client; writes: string[] } {
  const client = s3Client();
  const writes: string[] = [];
  client.middlewareStack.add(
    (next, ctx) => async (args) => {
      const name = ctx.commandName ?? '';
      if (/^(PutObject|CompleteMultipartUpload|DeleteObject)Command$/.test(name))
        writes.push(`${name.replace('Command', '')} ${(args.input as { Key: string }).Key}`);
      return next(args);
    },
    { step: 'initialize', name: 'recordWrites' },
  );
  return { client, writes };
}

async function objectBytes(key: string): Promise<Buffer | undefined> {
  try {
    const o = await s3Client().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await o.Body!.transformToByteArray());
  } catch {
    return undefined;
  }
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out = await s3Client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

/** For tests about how a run starts, not about slicing. */
const ONE_SLICE: Partial<HandlerDeps> = { sliceBudget: () => unlimitedBudget };

function handlerFor(deps: Partial<HandlerDeps> = {}, env: Record<string, string> = {}) {
  return makeSyncHandler(slackConnector, {
    s3: s3Client(),
    secrets: secretsClient(),
    // The tenant's sync is about 90 pages: every sync here takes four slices.
    sliceBudget: () => pageBudget(25),
    httpOverrides: { rateLimitScale: SCALE, baseBackoffMs: 5, maxBackoffMs: 40, maxRetries: 1 },
    ...deps,
    env: {
      BUCKET: bucket,
      OBJECT_KEY: KEY,
      SECRET_ID: secretId,
      WORK_ROOT: tempDir('durable-'),
      MIN_FREE_TMP_MB: '1',
      SLICE_RETRY_SECONDS: '1',
      SYNC_CONCURRENCY: '1',
      ...env,
    },
  });
}

async function liveIds(): Promise<Ids> {
  const file = join(tempDir(), 'live.c1z');
  await writeFile(file, (await objectBytes(KEY))!);
  return idsOf(file);
}

beforeAll(async () => {
  sim = await startSlackSim({ tenant: generateTenant({ seed: 11, users: 1200 }), mode: 'business', rateLimits: SCALE });
  secretId = await createSecret(secretsClient(), sim.config, 'baton/slack');
  const file = join(tempDir(), 'one-slice.c1z');
  await syncToFile({ connector: slackConnector, secretMap: sim.config, out: file, httpOverrides: { rateLimitScale: SCALE } });
  oneSlice = await idsOf(file);
  expect(oneSlice.grants.length).toBeGreaterThan(100);
});
afterAll(async () => sim.server.close());
beforeEach(async () => {
  // A bucket per test: a checkpoint or lease one test leaves must not steer the next.
  bucket = await createBucket(s3Client(), 'durable');
  sim.server.clearFaults();
  clearSecretCache();
});

// Each test runs one to three whole syncs paced by real (compressed) rate limits: slow on a busy machine.
describe('a sync as slices of a durable execution', { timeout: 240_000 }, () => {
  it('≥ 3 slices give exactly the rows of a one-slice sync; the live file is written once, last; no checkpoint or lease is left', async () => {
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: 'previous good file' }));
    const { client, writes } = recordingS3();
    const run = await runDurable<SyncResult>(handlerFor({ s3: client }), {});
    expect(run.result.slices).toBeGreaterThanOrEqual(3);
    expect(run.invocations).toBeGreaterThanOrEqual(run.result.slices);
    expect(await liveIds()).toEqual(oneSlice);

    const live = writes.filter((w) => w.endsWith(KEY));
    expect(live).toEqual([`PutObject ${KEY}`]);
    const checkpointWrites = writes.filter((w) => w.startsWith('PutObject') && w.includes('.checkpoint/'));
    expect(checkpointWrites.length).toBe(run.result.slices - 1);
    // The live object changes after every checkpoint was written, and the checkpoint goes after it.
    expect(writes.indexOf(live[0]!)).toBeGreaterThan(writes.lastIndexOf(checkpointWrites.at(-1)!));
    expect(writes.at(-2)).toMatch(/^DeleteObject .*\.checkpoint\//);
    expect(writes.at(-1)).toBe(`DeleteObject ${LEASE}`);
    expect(await keysUnder(CHECKPOINTS)).toEqual([]);
    expect(await objectBytes(LEASE)).toBeUndefined();
  });

  it('a slice that fails part way is retried from the last checkpoint, not from the start', async () => {
    /** Sim calls made when each checkpoint was written. */
    const callsAtCheckpoints = (client: S3Client, marks: number[], onMark?: (n: number) => void) =>
      client.middlewareStack.add(
        (next, ctx) => async (args) => {
          const out = await next(args);
          if (ctx.commandName === 'PutObjectCommand' && (args.input as { Key: string }).Key.includes('.checkpoint/')) {
            marks.push(sim.server.count());
            onMark?.(marks.length);
          }
          return out;
        },
        { step: 'initialize', name: 'markCheckpoints' },
      );
    // Each user group's members read with its own call: calls spread over every slice, so there is a
    // half-way point to fail at (with members from usergroups.list the whole sync is a dozen calls).
    sim.controls.userGroupsListWithoutUsers = true;
    onTestFinished(() => {
      sim.controls.userGroupsListWithoutUsers = false;
    });
    const clean = recordingS3();
    const cleanMarks: number[] = [];
    callsAtCheckpoints(clean.client, cleanMarks);
    const start = sim.server.count();
    await runDurable<SyncResult>(handlerFor({ s3: clean.client }), {});
    const cleanCalls = sim.server.count() - start;
    const perSlice = [start, ...cleanMarks, start + cleanCalls].slice(1).map((m, i, all) => m - (i === 0 ? start : all[i - 1]!));
    expect(cleanMarks.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...perSlice)).toBeLessThan(cleanCalls / 2);

    // Once half the work is checkpointed, the next two requests fail (the client's one retry
    // included): that slice fails as a transient error and the durable runtime runs it again.
    const faulted = recordingS3();
    const marks: number[] = [];
    const before = sim.server.count();
    let injectedAt: number | undefined;
    callsAtCheckpoints(faulted.client, marks, () => {
      if (injectedAt === undefined && sim.server.count() - before >= cleanCalls / 2) {
        injectedAt = sim.server.count() - before;
        sim.server.fault({ kind: '5xx', times: 2 });
      }
    });
    const r = await captured(() => runDurable<SyncResult>(handlerFor({ s3: faulted.client }), {}));
    expect(r.error).toBeUndefined();
    expect(r.output).toContain('"slice failed"');
    expect(await liveIds()).toEqual(oneSlice);
    const extra = sim.server.count() - before - cleanCalls;
    // A restart would repeat every call made before the fault; a resume at most one slice's.
    expect(extra).toBeLessThanOrEqual(Math.max(...perSlice) + 2);
    expect(extra).toBeLessThan(injectedAt!);
  });

  it('an execution that fails for good leaves its checkpoint; the next one resumes that sync', async () => {
    const { client, writes } = recordingS3();
    client.middlewareStack.add(
      (next, ctx) => async (args) => {
        const out = await next(args);
        if (ctx.commandName === 'PutObjectCommand' && writes.filter((w) => w.includes('.checkpoint/')).length === 1)
          sim.server.fault({ kind: '5xx', times: Infinity });
        return out;
      },
      { step: 'initialize', name: 'outageAfterFirstCheckpoint' },
    );
    const failed = await captured(() => runDurable<SyncResult>(handlerFor({ s3: client }, { SLICE_MAX_ATTEMPTS: '1' }), {}));
    expect(failed.error?.message).toMatch(/^slack sync failed: .*HTTP 500/);
    const left = await keysUnder(CHECKPOINTS);
    expect(left).toHaveLength(1);
    expect(await objectBytes(LEASE), 'the lease is released on failure').toBeUndefined();

    sim.server.clearFaults();
    const resumed = await captured(() => runDurable<SyncResult>(handlerFor(ONE_SLICE), {}));
    expect(resumed.error).toBeUndefined();
    expect(resumed.output).toContain('"resuming the sync from its checkpoint"');
    expect(left[0]).toBe(`${CHECKPOINTS}${resumed.value!.result.syncId}/0.c1z`);
    expect(await liveIds()).toEqual(oneSlice);
    expect(await keysUnder(CHECKPOINTS)).toEqual([]);
  });

  it('a checkpoint that does not decode is discarded with a log line, and the sync starts fresh', async () => {
    const bogus = newKsuid();
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: `${CHECKPOINTS}${bogus}/0.c1z`, Body: 'not a c1z at all' }));
    const r = await captured(() => runDurable<SyncResult>(handlerFor(ONE_SLICE), {}));
    expect(r.error).toBeUndefined();
    expect(r.output).toContain('"discarded a checkpoint that cannot be resumed; starting a fresh sync"');
    expect(r.value!.result.syncId).not.toBe(bogus);
    expect(await liveIds()).toEqual(oneSlice);
    expect(await keysUnder(CHECKPOINTS)).toEqual([]);
  });

  it('a checkpoint older than CHECKPOINT_MAX_AGE_HOURS is discarded, not resumed', async () => {
    const old = newKsuid();
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: `${CHECKPOINTS}${old}/0.c1z`, Body: 'stale' }));
    // The handler's clock stopped two hours after the store says the checkpoint was written.
    const { LastModified } = await s3Client().send(new HeadObjectCommand({ Bucket: bucket, Key: `${CHECKPOINTS}${old}/0.c1z` }));
    const twoHoursOn = LastModified!.getTime() + 2 * 3_600_000;
    const later = { ...ONE_SLICE, now: () => twoHoursOn };
    const r = await captured(() => runDurable<SyncResult>(handlerFor(later, { CHECKPOINT_MAX_AGE_HOURS: '1' }), {}));
    expect(r.error).toBeUndefined();
    expect(r.output).toContain('"discarded a stale checkpoint"');
    expect(r.value!.result.syncId).not.toBe(old);
    expect(await keysUnder(CHECKPOINTS)).toEqual([]);
  });

  it('a trigger while another execution holds the lease is skipped and counted, touching nothing', async () => {
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: 'previous good file' }));
    const before = await objectBytes(KEY);
    const running = newKsuid();
    const holder = {
      executionId: 'arn:other-execution',
      syncId: running,
      since: '2026-11-27T10:00:00.000Z',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    };
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: LEASE, Body: JSON.stringify(holder) }));
    const calls = sim.server.count();
    const r = await captured(() => runDurable<SkippedResult>(handlerFor(ONE_SLICE), {}));
    expect(r.value!.result).toEqual({ skipped: `a sync is already running: ${running} since 2026-11-27T10:00:00.000Z` });
    expect(r.output).toMatch(/"SyncSkipped":1/);
    expect(sim.server.count()).toBe(calls);
    expect((await objectBytes(KEY))!.equals(before!)).toBe(true);
    expect(JSON.parse((await objectBytes(LEASE))!.toString())).toEqual(holder);

    // Once that lease has expired (its run died without releasing it) the next trigger takes over.
    await s3Client().send(new PutObjectCommand({ Bucket: bucket, Key: LEASE, Body: JSON.stringify({ ...holder, expiresAt: '2026-11-27T11:00:00.000Z' }) }));
    const next = await captured(() => runDurable<SyncResult>(handlerFor(ONE_SLICE), {}));
    expect(next.output).toContain('"took over an expired sync lease"');
    expect(next.value!.result.syncId).toBeTruthy();
    expect(await objectBytes(LEASE)).toBeUndefined();
  });

  it('two executions racing for the lease: exactly one gets it', async () => {
    const lease = { client: s3Client(), bucket, key: LEASE };
    const holder = (id: string) => ({ executionId: id, since: new Date().toISOString(), expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((id) => acquireLease(lease, holder(id))));
    const winners = outcomes.filter((o) => o.acquired);
    expect(winners).toHaveLength(1);
    for (const o of outcomes.filter((x) => !x.acquired)) expect(o.holder.executionId).toBe(winners[0]!.holder.executionId);
    expect(await releaseLease(lease, 'someone-else')).toBe(false);
    expect(await releaseLease(lease, winners[0]!.holder.executionId)).toBe(true);
    expect(await objectBytes(LEASE)).toBeUndefined();
  });

  it('work folders a killed run left in the work root are removed (only sync-id-named ones), then the run succeeds', async () => {
    const root = tempDir('killed-');
    const leftover = join(root, newKsuid());
    mkdirSync(leftover);
    writeFileSync(join(leftover, 'sync.db'), Buffer.alloc(1024 * 1024));
    mkdirSync(join(root, 'not-ours'));
    const r = await captured(() => runDurable<SyncResult>(handlerFor(ONE_SLICE, { WORK_ROOT: root }), {}));
    expect(r.error).toBeUndefined();
    expect(r.output).toContain('"removed work folders left by earlier runs"');
    expect(existsSync(leftover)).toBe(false);
    expect(readdirSync(root)).toEqual(['not-ours']);
  });
});
