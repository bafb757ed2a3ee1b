// The shrink guard and drift through the Lambda handler, against moto S3 and the Fullstory SCIM
// simulator: an org that empties or loses most of its seats is held in quarantine with the live
// file byte-identical, acceptance promotes it, normal churn and first syncs go through, and the
// drift the run logs agrees with `baton-serverless diff` on the same two files.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connector as fullstoryConnector } from '../../../lambdas/fullstory/connector.ts';
import { type FullstorySim, generateTenant, type ScimUser, startFullstorySim } from '../../../lambdas/fullstory/sim/index.ts';
import { connector as slackConnector } from '../../../lambdas/slack/connector.ts';
import { generateTenant as generateSlackTenant, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { type AcceptedResult, makeSyncHandler, type SyncResult } from '../../../shared/aws/handler.ts';
import { quarantineKey } from '../../../shared/aws/quarantine.ts';
import { clearSecretCache } from '../../../shared/aws/secrets.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { createBucket, createSecret, motoEndpoint, s3Client, secretsClient, TEST_REGION } from '../../support/aws.ts';
import { captured } from '../../support/capture.ts';
import { cli } from '../../support/cli.ts';
import { runDurable } from '../../support/durable.ts';
import { tempDir } from '../../support/tmp.ts';

const USERS = 40;
const s3 = s3Client();
let sim: FullstorySim;
let allSeats: ScimUser[];

beforeAll(async () => {
  sim = await startFullstorySim({ tenant: generateTenant({ seed: 3, users: USERS }), rateLimits: 'off', scimPageCap: 25 });
  allSeats = [...sim.tenant.seats];
});
afterAll(async () => sim.close());
beforeEach(() => {
  clearSecretCache();
  sim.tenant.seats.splice(0, sim.tenant.seats.length, ...allSeats);
});

/** The org the simulator serves from now on: the first `n` seats. */
const serveSeats = (n: number) => sim.tenant.seats.splice(n);

async function instance(env: Record<string, string> = {}) {
  const bucket = await createBucket(s3, 'shrink');
  const key = 'baton/fullstory/sync.c1z';
  const secretId = await createSecret(secretsClient(), sim.config('scim'), 'baton/fullstory');
  const handler = () =>
    makeSyncHandler(fullstoryConnector, {
      s3,
      secrets: secretsClient(),
      env: { BUCKET: bucket, OBJECT_KEY: key, SECRET_ID: secretId, WORK_ROOT: tempDir('shrink-work-'), MIN_FREE_TMP_MB: '1', SLICE_MAX_ATTEMPTS: '1', ...env },
    });
  const run = <T = SyncResult>(event: unknown = {}) => captured(() => runDurable<T>(handler(), event).then((r) => r.result));
  const bytes = async (k = key): Promise<Buffer | undefined> => {
    try {
      const o = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: k }));
      return Buffer.from(await o.Body!.transformToByteArray());
    } catch {
      return undefined;
    }
  };
  return { bucket, key, run, bytes };
}

/** The values of one EMF metric in the captured output. */
function metricValues(output: string, name: string): unknown[] {
  return output
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((m) => name in m && !('resourceType' in m))
    .map((m) => m[name]);
}

async function usersIn(file: Buffer, dir: string): Promise<number> {
  const path = join(dir, `check-${Math.random()}.c1z`);
  await writeFile(path, file);
  const r = await openC1z(path);
  try {
    return r.counts().resources;
  } finally {
    r.close();
  }
}

describe('shrink guard in the Lambda', () => {
  it('a first sync is never blocked; normal churn passes, and its logged drift matches diff on the same files', async () => {
    const dir = tempDir('shrink-');
    const i = await instance();
    const first = await i.run();
    expect(first.error).toBeUndefined();
    expect(first.output).toContain('first sync of this instance');
    expect(metricValues(first.output, 'ShrinkBlocked')).toEqual([0]);
    const before = (await i.bytes())!;

    // Hourly churn: two seats leave.
    serveSeats(USERS - 2);
    const second = await i.run();
    expect(second.error).toBeUndefined();
    expect(second.value?.uploaded).toBe(true);
    const after = (await i.bytes())!;
    expect(await usersIn(after, dir)).toBe(USERS - 2);
    expect(await i.bytes(quarantineKey(i.key))).toBeUndefined();
    const line = second.output.split('\n').find((l) => l.includes('"sync drift'));
    expect(line, 'one drift log line').toBeDefined();
    const logged = JSON.parse(line!) as { drift: { totals: unknown; byResourceType: unknown; sample: { resources: { removed: string[] } } } };
    expect(logged.drift.totals).toEqual({ resources: { added: 0, removed: 2 }, entitlements: { added: 0, removed: 0 }, grants: { added: 0, removed: 0 } });
    expect(logged.drift.sample.resources.removed).toHaveLength(2);
    expect(metricValues(second.output, 'DriftResourcesRemoved')).toEqual([2]);

    await writeFile(join(dir, 'old.c1z'), before);
    await writeFile(join(dir, 'new.c1z'), after);
    const diff = await cli(['diff', join(dir, 'old.c1z'), join(dir, 'new.c1z'), '-o', 'json']);
    expect(diff.code).toBe(0);
    const json = JSON.parse(diff.stdout) as { drift: { totals: unknown; byResourceType: unknown }; resources: { deleted: unknown[] } };
    expect(json.drift.totals).toEqual(logged.drift.totals);
    expect(json.drift.byResourceType).toEqual(logged.drift.byResourceType);
    expect(json.resources.deleted).toHaveLength(2);
  });

  it('an emptied org is held: the live file stays byte-identical, the new one waits in quarantine, the run fails in one line; acceptance promotes it', async () => {
    const dir = tempDir('shrink-');
    const i = await instance();
    expect((await i.run()).error).toBeUndefined();
    const good = (await i.bytes())!;

    serveSeats(0);
    const blocked = await i.run();
    expect(blocked.error?.message).toMatch(
      new RegExp(
        `^fullstory sync failed: the shrink guard held sync \\w+ back: principals ${USERS} → 0 \\(-100 %\\), user resources ${USERS} → 0 \\(-100 %\\); s3://${i.bucket}/${i.key} is unchanged and the new file is at s3://${i.bucket}/baton/fullstory/.quarantine/sync.c1z. If the org really shrank, accept it: invoke the function with \\{"acceptShrink": true\\}`,
      ),
    );
    expect(blocked.error!.message).not.toContain('\n');
    expect((await i.bytes())!.equals(good)).toBe(true);
    const held = await i.bytes(quarantineKey(i.key));
    expect(held).toBeDefined();
    expect(await usersIn(held!, dir)).toBe(0);
    expect(metricValues(blocked.output, 'ShrinkBlocked')).toEqual([1]);
    expect(metricValues(blocked.output, 'SyncFailed')).toEqual([1]);

    const accepted = await i.run<AcceptedResult>({ acceptShrink: true });
    expect(accepted.error).toBeUndefined();
    expect(accepted.value?.accepted).toMatchObject({ key: i.key, counts: { resources: 0 } });
    expect((await i.bytes())!.equals(held!)).toBe(true);
    expect(await i.bytes(quarantineKey(i.key))).toBeUndefined();
    expect(metricValues(accepted.output, 'ShrinkAccepted')).toEqual([1]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: i.bucket, Key: i.key }));
    expect(head.Metadata).toMatchObject({ resources: '0', connector: 'fullstory' });

    // Nothing is held any more: a second acceptance says so in one line.
    const again = await i.run({ acceptShrink: true });
    expect(again.error?.message).toMatch(/no sync is held at s3:\/\/.*\.quarantine\/sync\.c1z: nothing to accept/);
  });

  it('a halved-and-more org is held; accept-shrink from the CLI promotes it; a later good sync clears a stale hold', async () => {
    const dir = tempDir('shrink-');
    const i = await instance();
    expect((await i.run()).error).toBeUndefined();
    const good = (await i.bytes())!;

    serveSeats(Math.floor(USERS * 0.4));
    const blocked = await i.run();
    expect(blocked.error?.message).toContain(`principals ${USERS} → ${Math.floor(USERS * 0.4)} (-60 %)`);
    expect((await i.bytes())!.equals(good)).toBe(true);
    const held = (await i.bytes(quarantineKey(i.key)))!;

    const env = {
      AWS_ENDPOINT_URL_S3: motoEndpoint(),
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    };
    const r = await cli(['accept-shrink', '--bucket', i.bucket, '--key', i.key, '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: { key: i.key, counts: { resources: Math.floor(USERS * 0.4) } } });
    expect((await i.bytes())!.equals(held)).toBe(true);
    expect(await usersIn((await i.bytes())!, dir)).toBe(Math.floor(USERS * 0.4));

    // Held again (the org empties), then the org comes back before anyone accepts: the good sync
    // goes live and the stale hold is gone, so it can no longer be promoted by mistake.
    serveSeats(0);
    expect((await i.run()).error?.message).toContain('shrink guard held');
    expect(await i.bytes(quarantineKey(i.key))).toBeDefined();
    sim.tenant.seats.splice(0, sim.tenant.seats.length, ...allSeats);
    expect((await i.run()).error).toBeUndefined();
    expect(await i.bytes(quarantineKey(i.key))).toBeUndefined();
  });

  it('switched off per instance: the shrink goes live, drift is still reported', async () => {
    const i = await instance({ SHRINK_GUARD: 'off' });
    expect((await i.run()).error).toBeUndefined();
    serveSeats(0);
    const r = await i.run();
    expect(r.error).toBeUndefined();
    expect(r.output).toContain(`"sync drift: resources +0 -${USERS}`);
    expect(await i.bytes(quarantineKey(i.key))).toBeUndefined();
  });
});

describe('shrink guard on grants (Slack simulator)', () => {
  it('user groups answered without their members: the grants shrink is held, the live file stays', async () => {
    const sim = await startSlackSim({ tenant: generateSlackTenant({ seed: 4, users: 120 }), mode: 'pro', rateLimits: 'off' });
    try {
      const bucket = await createBucket(s3, 'shrink-slack');
      const key = 'baton/slack/sync.c1z';
      const secretId = await createSecret(secretsClient(), sim.config, 'baton/slack');
      const run = () =>
        captured(() =>
          runDurable<SyncResult>(
            makeSyncHandler(slackConnector, {
              s3,
              secrets: secretsClient(),
              env: { BUCKET: bucket, OBJECT_KEY: key, SECRET_ID: secretId, WORK_ROOT: tempDir('shrink-work-'), MIN_FREE_TMP_MB: '1', SLICE_MAX_ATTEMPTS: '1' },
            }),
            {},
          ),
        );
      const first = await run();
      expect(first.error).toBeUndefined();
      const before = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).then(async (o) => Buffer.from(await o.Body!.transformToByteArray()));
      const file = join(tempDir('shrink-'), 'before.c1z');
      await writeFile(file, before);
      const reader = await openC1z(file);
      const memberships = reader.statsByResourceType().find((t) => t.resourceType === 'userGroup')?.grants ?? 0;
      reader.close();
      expect(memberships).toBeGreaterThan(0);

      for (const g of sim.tenant.userGroups) g.users = [];
      clearSecretCache();
      const blocked = await run();
      expect(blocked.error?.message).toContain(`userGroup grants ${memberships.toLocaleString('en-US')} → 0 (-100 %)`);
      const after = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).then(async (o) => Buffer.from(await o.Body!.transformToByteArray()));
      expect(after.equals(before)).toBe(true);
      await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: quarantineKey(key) }))).resolves.toBeDefined();
      expect(metricValues(blocked.output, 'ShrinkBlocked')).toEqual([1]);
      // The per-type drift metric names the type whose grants went.
      const perType = blocked.output
        .split('\n')
        .filter((l) => l.includes('"resourceType":"userGroup"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(perType.map((m) => m.DriftGrantsRemoved)).toEqual([memberships]);
    } finally {
      await sim.server.close();
    }
  });
});
