// One sync per connector at a time. The lease is an S3 object beside the live file, created with
// a conditional put (If-None-Match: *), so two executions cannot both create it; it carries an
// expiry, so a run that died without releasing it blocks the next ones only until then.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { errorCode } from '../errors.ts';
import type { LeaseHolder, LeaseOutcome, LeasePort } from '../sync/lifecycle.ts';
import { deleteObject, readJson } from './s3-object.ts';

const holderSchema = z.object({ executionId: z.string(), syncId: z.string().optional(), since: z.string(), expiresAt: z.string() });

export interface LeaseOptions {
  client: S3Client;
  bucket: string;
  key: string;
}

function preconditionFailed(err: unknown): boolean {
  const code = errorCode(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return code === 'PreconditionFailed' || code === 'ConditionalRequestConflict' || status === 412 || status === 409;
}

async function put(o: LeaseOptions, holder: LeaseHolder, condition: { IfNoneMatch: '*' } | { IfMatch: string }): Promise<boolean> {
  try {
    await o.client.send(new PutObjectCommand({ Bucket: o.bucket, Key: o.key, Body: JSON.stringify(holder), ContentType: 'application/json', ...condition }));
    return true;
  } catch (err) {
    if (preconditionFailed(err)) return false;
    throw new Error(`taking the sync lease s3://${o.bucket}/${o.key} failed (${errorCode(err)})`, { cause: err });
  }
}

/** Takes the lease for `holder`, or reports who holds it. An expired or unreadable lease is taken over. */
export async function acquireLease(o: LeaseOptions, holder: LeaseHolder, now = Date.now()): Promise<LeaseOutcome> {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await put(o, holder, { IfNoneMatch: '*' })) return { acquired: true, holder };
    const current = await readJson(o.client, o.bucket, o.key);
    if (!current) continue; // released between the two calls: try again
    const parsed = holderSchema.safeParse(current.value);
    if (parsed.success && parsed.data.executionId === holder.executionId) return { acquired: true, holder: parsed.data };
    if (parsed.success && Date.parse(parsed.data.expiresAt) > now) return { acquired: false, holder: parsed.data };
    // Expired (its run died without releasing it) or not ours to read: replace exactly that version.
    if (await put(o, holder, { IfMatch: current.etag })) return { acquired: true, holder, ...(parsed.success ? { tookOver: parsed.data } : {}) };
  }
  throw new Error(`the sync lease s3://${o.bucket}/${o.key} kept changing while it was being taken`);
}

/** Releases the lease if `executionId` still holds it (a lease taken over by another run stays). */
export async function releaseLease(o: LeaseOptions, executionId: string): Promise<boolean> {
  const current = await readJson(o.client, o.bucket, o.key);
  if (!current) return false;
  const parsed = holderSchema.safeParse(current.value);
  if (parsed.success && parsed.data.executionId !== executionId) return false;
  await deleteObject(o.client, o.bucket, o.key);
  return true;
}

/** The lifecycle's lease port over one S3 object. */
export function s3Lease(o: LeaseOptions): LeasePort {
  return { acquire: (holder) => acquireLease(o, holder), release: (executionId) => releaseLease(o, executionId) };
}
