// Checkpoints in S3 beside the live file, under a prefix ConductorOne never reads:
// `<dir of the object key>/.checkpoint/<syncId>.c1z`, written with the same verified upload.
import type { S3Client } from '@aws-sdk/client-s3';
import type { CheckpointStore } from '../sync/checkpoint-store.ts';
import { layoutOf } from './bucket-layout.ts';
import { deleteObject, downloadToFile, listObjects } from './s3-object.ts';
import { uploadC1z } from './upload.ts';

export function s3CheckpointStore(options: { client: S3Client; bucket: string; objectKey: string; connector: string }): CheckpointStore {
  const { client, bucket } = options;
  const prefix = layoutOf(options.objectKey).checkpoints;
  const key = (syncId: string) => `${prefix}${syncId}.c1z`;
  return {
    where: `s3://${bucket}/${prefix}`,
    async save(syncId, file) {
      const r = await uploadC1z({ client, bucket, key: key(syncId), file, metadata: { connector: options.connector, 'sync-id': syncId, kind: 'checkpoint' } });
      return { bytes: r.bytes };
    },
    load: (syncId, dest) => downloadToFile(client, bucket, key(syncId), dest),
    remove: (syncId) => deleteObject(client, bucket, key(syncId)),
    async list() {
      const objects = await listObjects(client, bucket, prefix);
      return objects
        .filter((o) => o.key.endsWith('.c1z'))
        .map((o) => ({ syncId: o.key.slice(prefix.length, -4), savedAt: o.lastModified, bytes: o.size }))
        .sort((a, b) => b.savedAt - a.savedAt);
    },
  };
}
