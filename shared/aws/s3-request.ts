// One S3 request with retries, and the error every failed transfer becomes. The SDK does not retry
// requests with a stream body, so each request is retried here (fresh stream) on throttling, 5xx
// and network errors.
import type { ReadStream } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { errorCode, oneLine } from '../errors.ts';
import { backoffMs } from '../http/backoff.ts';

export class UploadError extends Error {
  override readonly name = 'UploadError';
  readonly bucket: string;
  readonly key: string;
  /** S3 error code (AccessDenied, NoSuchBucket, …), a Node error code, or our own (InvalidMetadata, FileChanged). */
  readonly code: string;
  readonly httpStatus: number | undefined;
  /** Set when a multipart upload was started; whether it was aborted. */
  readonly uploadId: string | undefined;
  readonly aborted: boolean | undefined;

  constructor(
    bucket: string,
    key: string,
    code: string,
    message: string,
    extra: { httpStatus?: number; uploadId?: string; aborted?: boolean; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.bucket = bucket;
    this.key = key;
    this.code = code;
    this.httpStatus = extra.httpStatus;
    this.uploadId = extra.uploadId;
    this.aborted = extra.aborted;
  }

  /** S3's 5xx, and failures that never got an answer (network, a file that changed while read). */
  get retryable(): boolean {
    return this.httpStatus === undefined || this.httpStatus >= 500;
  }
}

export interface RequestContext {
  client: S3Client;
  bucket: string;
  key: string;
  maxAttempts: number;
  signal: AbortSignal | undefined;
}

/** Runs one request, retrying transient failures with a fresh body each time. */
export async function withRetries<T>(
  ctx: RequestContext,
  make: (abortSignal: AbortSignal | undefined) => { body?: ReadStream; run: () => Promise<T> },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    ctx.signal?.throwIfAborted();
    const { body, run } = make(ctx.signal);
    try {
      return await run();
    } catch (err) {
      if (attempt >= ctx.maxAttempts || !isRetryable(err) || ctx.signal?.aborted) throw err;
      const delay = backoffMs(attempt, 200, 5_000);
      await new Promise((r) => setTimeout(r, delay));
    } finally {
      body?.destroy();
    }
  }
}

const RETRYABLE_CODES = new Set([
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'TimeoutError',
]);

function isRetryable(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.name === 'AbortError') return false;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  return RETRYABLE_CODES.has(errorCode(err));
}

export function toUploadError(bucket: string, key: string, err: unknown, step: string): UploadError {
  if (err instanceof UploadError) return err;
  const code = errorCode(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const detail = err instanceof Error && err.message && err.message !== code ? `: ${oneLine(err.message, 300)}` : '';
  return new UploadError(bucket, key, code, `upload to s3://${bucket}/${key} failed at ${step}: ${code}${status ? ` (HTTP ${status})` : ''}${detail}`, {
    ...(status !== undefined ? { httpStatus: status } : {}),
    cause: err,
  });
}
