// Where an instance's latest sync.c1z comes from: a local file (CLI) or the bucket (Lambda). The
// opened reader is kept while the object is unchanged, so warm invocations skip download and decode.
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type C1zReader, openC1z } from '../c1z/reader.ts';
import { errorCode } from '../errors.ts';
import { ProvisionRefused, ProvisionUnavailable } from './failure.ts';
import type { SyncedRows } from './resolve.ts';

export interface C1zSource {
  /** The latest synced rows; the returned object stays valid until the next call. */
  rows(): Promise<SyncedRows>;
}

export function fileC1z(path: string): C1zSource {
  let reader: Promise<C1zReader> | undefined;
  return {
    rows() {
      reader ??= openC1z(path).catch((err: unknown) => {
        reader = undefined;
        // This message can reach ConductorOne's audit trail: no local path in it.
        throw new ProvisionRefused(`the synced rows cannot be read (${errorCode(err, 'unreadable file')}); see the webhook's own log`);
      });
      return reader;
    },
  };
}

export interface S3C1zOptions {
  client: S3Client;
  bucket: string;
  key: string;
  /** Folder for the downloaded copy (Lambda: under /tmp). */
  workDir: string;
}

export function s3C1z(options: S3C1zOptions): C1zSource {
  let current: { etag: string; reader: C1zReader } | undefined;
  let inFlight: Promise<SyncedRows> | undefined;
  const file = join(options.workDir, `${options.key.replace(/[^A-Za-z0-9._-]/g, '_')}.c1z`);

  async function refresh(): Promise<SyncedRows> {
    let body: Readable;
    let etag: string;
    try {
      const res = await options.client.send(new GetObjectCommand({ Bucket: options.bucket, Key: options.key, IfNoneMatch: current?.etag }));
      body = res.Body as Readable;
      etag = res.ETag ?? '';
    } catch (err) {
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 304 && current) return current.reader;
      const code = errorCode(err);
      if (code === 'NoSuchKey') throw new ProvisionRefused(`no sync yet: s3://${options.bucket}/${options.key} does not exist; run a sync first`);
      throw new ProvisionUnavailable(`reading s3://${options.bucket}/${options.key} failed (${code})`);
    }
    await mkdir(options.workDir, { recursive: true });
    await pipeline(body, createWriteStream(file));
    const reader = await openC1z(file);
    await rm(file, { force: true });
    current?.reader.close();
    current = { etag, reader };
    return reader;
  }

  return {
    rows() {
      // One download at a time; concurrent callers share it.
      inFlight ??= refresh().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
