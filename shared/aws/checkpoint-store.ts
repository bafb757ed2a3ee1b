// Checkpoints in S3 beside the live file, under a prefix ConductorOne never reads:
// `<dir of the object key>/.checkpoint/<syncId>/<part>.c1z`, written with the same verified upload.
import type { S3Client } from '@aws-sdk/client-s3';
import { type CheckpointStore, groupParts, parsePartKey } from '../sync/checkpoint-store.ts';
import { layoutOf } from './bucket-layout.ts';
import { deleteObject, downloadToFile, listObjects } from './s3-object.ts';
import { uploadC1z } from './upload.ts';

export function s3CheckpointStore(options: { client: S3Client; bucket: string; objectKey: string; connector: string }): CheckpointStore {
  const { client, bucket } = options;
  const prefix = layoutOf(options.objectKey).checkpoints;
  const key = (syncId: string, part: number) => `${prefix}${syncId}/${part}.c1z`;
  const listParts = async () => {
    const objects = await listObjects(client, bucket, prefix);
    return objects.flatMap((o) => {
      const k = parsePartKey(o.key.slice(prefix.length));
      return k ? [{ ...k, key: o.key, savedAt: o.lastModified, bytes: o.size }] : [];
    });
  };
  return {
    where: `s3://${bucket}/${prefix}`,
    async save(syncId, part, file) {
      const metadata = { connector: options.connector, 'sync-id': syncId, kind: 'checkpoint', part: String(part) };
      const r = await uploadC1z({ client, bucket, key: key(syncId, part), file, metadata });
      return { bytes: r.bytes };
    },
    async parts(syncId) {
      return groupParts((await listParts()).filter((p) => p.syncId === syncId))[0]?.parts ?? 0;
    },
    load: (syncId, part, dest) => downloadToFile(client, bucket, key(syncId, part), dest),
    async remove(syncId) {
      for (const p of await listParts()) if (p.syncId === syncId) await deleteObject(client, bucket, p.key);
    },
    list: async () => groupParts(await listParts()),
  };
}
