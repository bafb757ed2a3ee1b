// `baton-serverless diff OLD NEW`: what changed between two c1z files. Both are walked in id order
// side by side (a merge), so files of any size diff in bounded memory. JSON is baton's
// C1ZDiffOutput: {resources,entitlements,grants} × {created,deleted,modified}, plus "drift": the
// per-resource-type added/removed totals the Lambda publishes after every sync (the same code).
import { equals, fromBinary } from '@bufbuild/protobuf';
import { computeDrift } from '../../shared/c1z/drift.ts';
import { mergeByKey } from '../../shared/c1z/key-order.ts';
import { EntitlementSchema, GrantSchema, ResourceSchema } from '../../shared/c1z/messages.ts';
import type { C1zReader } from '../../shared/c1z/reader.ts';
import type { Output } from './output.ts';
import { printable } from './printable.ts';
import { protoJson } from './proto-json.ts';
import type { Format } from './views.ts';

type Kind = 'resources' | 'entitlements' | 'grants';
type Bucket = 'created' | 'deleted' | 'modified';

const KINDS: Kind[] = ['resources', 'entitlements', 'grants'];
const SCHEMAS = { resources: ResourceSchema, entitlements: EntitlementSchema, grants: GrantSchema } as const;
const SIGN: Record<Bucket, string> = { created: '+', deleted: '-', modified: '~' };
const SINGULAR: Record<Kind, string> = { resources: 'resource', entitlements: 'entitlement', grants: 'grant' };

interface Change {
  bucket: Bucket;
  key: string;
  data: Buffer;
}

function same(kind: Kind, a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  // Equal messages can serialise differently (field order, another writer); compare as messages.
  const schema = SCHEMAS[kind];
  return equals(schema as typeof ResourceSchema, fromBinary(schema as typeof ResourceSchema, a), fromBinary(schema as typeof ResourceSchema, b));
}

type Row = { key: string; data: Buffer };
const keyOf = (r: Row) => r.key;

export function* changes(kind: Kind, older: C1zReader, newer: C1zReader): Generator<Change> {
  for (const m of mergeByKey(older.keyed(kind), newer.keyed(kind), keyOf, keyOf)) {
    if (m.side === 'older') yield { bucket: 'deleted', key: m.older.key, data: m.older.data };
    else if (m.side === 'newer') yield { bucket: 'created', key: m.newer.key, data: m.newer.data };
    else if (!same(kind, m.older.data, m.newer.data)) yield { bucket: 'modified', key: m.newer.key, data: m.newer.data };
  }
}

function rowJson(kind: Kind, data: Buffer): unknown {
  const schema = SCHEMAS[kind] as typeof ResourceSchema;
  return protoJson(schema, fromBinary(schema, data));
}

function label(kind: Kind, data: Buffer): string {
  if (kind === 'grants') return '';
  const schema = SCHEMAS[kind] as typeof ResourceSchema;
  const name = (fromBinary(schema, data) as { displayName?: string }).displayName;
  return name ? `  ${printable(JSON.stringify(name))}` : '';
}

export async function writeDiff(older: C1zReader, newer: C1zReader, out: Output, format: Format): Promise<void> {
  if (format === 'json') {
    await out.write('{');
    for (const [k, kind] of KINDS.entries()) {
      await out.write(`${k > 0 ? ',' : ''}"${kind}":{`);
      // One pass per bucket keeps each list contiguous without holding any of them.
      for (const [i, bucket] of (['created', 'deleted', 'modified'] as const).entries()) {
        await out.write(`${i > 0 ? ',' : ''}"${bucket}":[`);
        let first = true;
        for (const c of changes(kind, older, newer)) {
          if (c.bucket !== bucket) continue;
          await out.write(`${first ? '' : ','}${JSON.stringify(rowJson(kind, c.data))}`);
          first = false;
        }
        await out.write(']');
      }
      await out.write('}');
    }
    const drift = computeDrift(older, newer, 0);
    await out.write(`,"drift":${JSON.stringify({ totals: drift.totals, byResourceType: drift.byResourceType })}`);
    await out.line('}');
    return out.flush();
  }
  const totals: string[] = [];
  for (const kind of KINDS) {
    const n: Record<Bucket, number> = { created: 0, deleted: 0, modified: 0 };
    for (const c of changes(kind, older, newer)) {
      n[c.bucket] += 1;
      await out.line(`${SIGN[c.bucket]} ${SINGULAR[kind]} ${printable(c.key)}${label(kind, c.data)}`);
    }
    totals.push(`${kind}: ${n.created} added, ${n.deleted} removed, ${n.modified} changed`);
  }
  await out.line(`${printable(older.path)} (sync ${printable(older.sync.syncId)}) → ${printable(newer.path)} (sync ${printable(newer.sync.syncId)})`);
  for (const t of totals) await out.line(t);
  await out.flush();
}
