// Small S3 reads and deletes the runtime needs beside uploads: an object to a file (streamed), a
// JSON object with its ETag, a listing, a delete. Missing objects read as undefined, not errors.

import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { errorCode } from '../errors.ts';

export function isNotFound(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'NoSuchKey' || code === 'NotFound' || (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}

function failure(action: string, bucket: string, key: string, err: unknown): Error {
  return new Error(`${action} s3://${bucket}/${key} failed (${errorCode(err)})`, { cause: err });
}

/** Streams the object to `dest`; false when it does not exist. */
export async function downloadToFile(client: S3Client, bucket: string, key: string, dest: string): Promise<boolean> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    await pipeline(out.Body as Readable, createWriteStream(dest));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw failure('download of', bucket, key, err);
  }
}

export async function readJson(client: S3Client, bucket: string, key: string): Promise<{ value: unknown; etag: string } | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = await out.Body!.transformToString();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined;
    }
    return { value, etag: out.ETag ?? '' };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw failure('read of', bucket, key, err);
  }
}

export async function deleteObject(client: S3Client, bucket: string, key: string): Promise<void> {
  try {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    if (!isNotFound(err)) throw failure('delete of', bucket, key, err);
  }
}

export interface ListedObject {
  key: string;
  lastModified: number;
  size: number;
}

export async function listObjects(client: S3Client, bucket: string, prefix: string): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })).catch((err: unknown) => {
      throw failure('listing of', bucket, `${prefix}*`, err);
    });
    for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, lastModified: o.LastModified?.getTime() ?? 0, size: o.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}
