// Helpers for tests against the run's moto server (started by test/support/global-setup.ts).
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inject } from 'vitest';

export const TEST_REGION = 'us-east-1';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** The moto server's base URL provided by global setup. */
export function motoEndpoint(): string {
  const endpoint = inject('motoEndpoint');
  if (!endpoint) {
    throw new Error('no moto endpoint: run the tests with vitest (globalSetup test/support/global-setup.ts) or set MOTO_ENDPOINT');
  }
  return endpoint;
}

export function s3Client(endpoint: string = motoEndpoint()): S3Client {
  const client = new S3Client({ endpoint, region: TEST_REGION, credentials, forcePathStyle: true, maxAttempts: 1 });
  // moto 5.1.1 answers GetObjectAttributes with an ISO 8601 Last-Modified header, which the SDK
  // refuses (it wants an HTTP date as S3 sends): rewrite it before the response is deserialized.
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string> } | undefined)?.headers;
      const lastModified = headers?.['last-modified'];
      if (headers && lastModified && /^\d{4}-\d\d-\d\dT/.test(lastModified)) {
        headers['last-modified'] = new Date(lastModified).toUTCString();
      }
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'motoLastModifiedFix' },
  );
  return client;
}

export function secretsClient(endpoint: string = motoEndpoint()): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint, region: TEST_REGION, credentials, maxAttempts: 1 });
}

/** A name no other test (or earlier run against the same server) uses: lowercase, S3-bucket safe. */
export function uniqueName(prefix = 'test'): string {
  return `${prefix}-${randomUUID().slice(0, 13)}`.toLowerCase();
}

/** Creates a fresh bucket and returns its name. */
export async function createBucket(s3: S3Client, prefix = 'bucket'): Promise<string> {
  const bucket = uniqueName(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/**
 * Creates a fresh secret and returns its name. An object is stored as its JSON, a string as is,
 * bytes as SecretBinary.
 */
export async function createSecret(sm: SecretsManagerClient, value: Record<string, unknown> | string | Uint8Array, prefix = 'baton/test'): Promise<string> {
  const name = uniqueName(prefix);
  if (value instanceof Uint8Array) {
    await sm.send(new CreateSecretCommand({ Name: name, SecretBinary: value }));
  } else {
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: typeof value === 'string' ? value : JSON.stringify(value) }));
  }
  return name;
}
