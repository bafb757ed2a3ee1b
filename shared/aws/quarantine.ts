// A sync the shrink guard held back waits at `<dir of the object key>/.quarantine/sync.c1z`.
// Accepting a real shrink promotes it to the live key after the checks a normal upload passes.

import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { openC1z } from '../c1z/reader.ts';
import type { Counts } from '../c1z/writer.ts';
import { errorCode } from '../errors.ts';
import { layoutOf } from './bucket-layout.ts';
import { hashFile } from './file-digest.ts';
import { deleteObject, isNotFound } from './s3-object.ts';
import { SHA256_METADATA_KEY, type UploadC1zResult, uploadC1z } from './upload.ts';

/** `<dir of the live key>/.quarantine/sync.c1z`. */
export function quarantineKey(objectKey: string): string {
  return layoutOf(objectKey).quarantine;
}

/** Metadata of the live object: who wrote it and its counts (what `promote` checks the file against). */
export function liveMetadata(connector: string, syncId: string, counts: Counts): Record<string, string> {
  return {
    connector,
    'sync-id': syncId,
    'resource-types': String(counts.resourceTypes),
    resources: String(counts.resources),
    entitlements: String(counts.entitlements),
    grants: String(counts.grants),
  };
}

/** S3 metadata is printable ASCII, 2 KB in all: the reason, made to fit. */
function asciiLine(text: string, max = 600): string {
  const ascii = text.replace(/→/g, '->').replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > max ? `${ascii.slice(0, max - 3)}...` : ascii;
}

export async function quarantineC1z(o: {
  client: S3Client;
  bucket: string;
  objectKey: string;
  file: string;
  metadata: Record<string, string>;
  reason: string;
  multipartThresholdBytes?: number;
}): Promise<UploadC1zResult & { key: string }> {
  const key = quarantineKey(o.objectKey);
  const r = await uploadC1z({
    client: o.client,
    bucket: o.bucket,
    key,
    file: o.file,
    metadata: { ...o.metadata, kind: 'quarantine', 'held-because': asciiLine(o.reason), 'held-at': new Date().toISOString() },
    ...(o.multipartThresholdBytes ? { multipartThresholdBytes: o.multipartThresholdBytes } : {}),
  });
  return { ...r, key };
}

export class NothingQuarantinedError extends Error {
  override name = 'NothingQuarantinedError';
}

export interface Promoted {
  syncId: string;
  counts: Counts;
  bytes: number;
  /** The quarantine key it came from. */
  from: string;
  key: string;
}

const COUNT_KEYS = { resourceTypes: 'resource-types', resources: 'resources', entitlements: 'entitlements', grants: 'grants' } as const;

/**
 * Makes the quarantined sync the live file: downloaded, checked (the SHA-256 it was stored with, a
 * full decode, the sync a reader picks is the one recorded, with the recorded counts), uploaded
 * with the live upload's checksum, then removed from quarantine.
 */
export async function promoteQuarantined(o: {
  client: S3Client;
  bucket: string;
  objectKey: string;
  workDir: string;
  multipartThresholdBytes?: number;
}): Promise<Promoted> {
  const from = quarantineKey(o.objectKey);
  const where = `s3://${o.bucket}/${from}`;
  const file = join(o.workDir, 'quarantined.c1z');
  let metadata: Record<string, string>;
  try {
    const out = await o.client.send(new GetObjectCommand({ Bucket: o.bucket, Key: from }));
    metadata = out.Metadata ?? {};
    await pipeline(out.Body as Readable, createWriteStream(file));
  } catch (err) {
    if (isNotFound(err))
      throw new NothingQuarantinedError(`no sync is held at ${where}: nothing to accept (the guard has not blocked one, or it was accepted or replaced since)`);
    throw new Error(`download of ${where} failed (${errorCode(err)})`, { cause: err });
  }
  try {
    const digest = await hashFile(file, 0, o.bucket, from);
    if (metadata[SHA256_METADATA_KEY] && digest.sha256.toString('hex') !== metadata[SHA256_METADATA_KEY]) {
      throw new Error(`${where}: the downloaded file does not match the SHA-256 it was stored with; not promoting it`);
    }
    const syncId = metadata['sync-id'];
    const reader = await openC1z(file, { tmpDir: o.workDir });
    let counts: Counts;
    try {
      counts = reader.counts();
      if (reader.chosenBy !== 'latest finished full sync' || (syncId && reader.sync.syncId !== syncId)) {
        throw new Error(`${where}: a reader would not pick sync ${syncId ?? '(unrecorded)'} as the latest finished full sync; not promoting it`);
      }
      for (const [k, m] of Object.entries(COUNT_KEYS) as [keyof Counts, string][]) {
        if (metadata[m] !== undefined && Number(metadata[m]) !== counts[k]) {
          throw new Error(`${where}: holds ${counts[k]} ${k}, its metadata says ${metadata[m]}; not promoting it`);
        }
      }
    } finally {
      reader.close();
    }
    const r = await uploadC1z({
      client: o.client,
      bucket: o.bucket,
      key: o.objectKey,
      file,
      metadata: liveMetadata(metadata.connector ?? '', reader.sync.syncId, counts),
      ...(o.multipartThresholdBytes ? { multipartThresholdBytes: o.multipartThresholdBytes } : {}),
    });
    await deleteObject(o.client, o.bucket, from);
    return { syncId: reader.sync.syncId, counts, bytes: r.bytes, from, key: o.objectKey };
  } finally {
    await rm(file, { force: true });
  }
}

/** A held sync is stale once a newer one went live: accepting it later would roll the org back. */
export function discardQuarantined(client: S3Client, bucket: string, objectKey: string): Promise<void> {
  return deleteObject(client, bucket, quarantineKey(objectKey));
}
