// `baton-serverless accept-shrink --bucket B --key K`: the CLI way to accept a real shrink.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { promoteQuarantined } from '../../shared/aws/quarantine.ts';
import { awsClientReady } from './aws-setup.ts';
import type { Io } from './commands.ts';
import type { Parsed } from './spec.ts';
import { UsageError } from './usage.ts';

export async function acceptShrinkCommand(parsed: Parsed, io: Io): Promise<void> {
  const { bucket, key, json } = parsed.values;
  if (typeof bucket !== 'string' || typeof key !== 'string')
    throw new UsageError('accept-shrink: give --bucket NAME and --key KEY (the live object, e.g. baton/slack/sync.c1z)');
  const client = new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
  await awsClientReady(client, `accept-shrink s3://${bucket}/${key}`);
  const workDir = await mkdtemp(join(tmpdir(), 'accept-shrink-'));
  try {
    const promoted = await promoteQuarantined({ client, bucket, objectKey: key, workDir });
    if (json) await io.out.line(JSON.stringify({ accepted: promoted }));
    else
      await io.out.line(
        `accepted sync ${promoted.syncId}: s3://${bucket}/${key} now holds ${promoted.counts.resources} resources, ${promoted.counts.entitlements} entitlements, ${promoted.counts.grants} grants (from ${promoted.from})`,
      );
    await io.out.flush();
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
