// A connector's Lambda handler wired to moto: a fresh bucket, the secret in Secrets Manager, and the
// handler run the way Lambda's durable runtime runs it; plus reading the uploaded c1z back.
import { writeFile } from 'node:fs/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { makeSyncHandler, type SyncResult } from '../../shared/aws/handler.ts';
import type { HttpClientOptions } from '../../shared/http/types.ts';
import type { ConnectorDefinition } from '../../shared/sync/connector.ts';
import { createBucket, createSecret, s3Client, secretsClient } from './aws.ts';
import { runDurable } from './durable.ts';

export const invoke = (handler: ReturnType<typeof makeSyncHandler>, event: unknown) => runDurable<SyncResult>(handler, event).then((r) => r.result);

/** The handler for `connector` (named `name`: bucket and secret prefixes), writing `key` in a new bucket. */
export async function handlerOnMoto<C>(
  connector: ConnectorDefinition<C>,
  name: string,
  options: { secretMap: Record<string, string>; key: string; workRoot: string; httpOverrides?: Partial<HttpClientOptions> },
) {
  const s3 = s3Client();
  const sm = secretsClient();
  const bucket = await createBucket(s3, name);
  const secretId = await createSecret(sm, options.secretMap, `baton/${name}`);
  const handler = makeSyncHandler(connector, {
    s3,
    secrets: sm,
    env: { BUCKET: bucket, OBJECT_KEY: options.key, SECRET_ID: secretId, WORK_ROOT: options.workRoot, MIN_FREE_TMP_MB: '1' },
    ...(options.httpOverrides ? { httpOverrides: options.httpOverrides } : {}),
  });
  return { s3, bucket, handler };
}

/** Downloads `bucket`/`key` into `file`. */
export async function downloadTo(s3: ReturnType<typeof s3Client>, bucket: string, key: string, file: string): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  await writeFile(file, await object.Body!.transformToByteArray());
}
