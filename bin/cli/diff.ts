// `baton-serverless diff OLD NEW`: what changed between two c1z files. Both are walked in id order
// side by side (a merge), so files of any size diff in bounded memory. JSON is baton's
// C1ZDiffOutput: {resources,entitlements,grants} × {created,deleted,modified}.
import { equals, fromBinary } from '@bufbuild/protobuf';
import { EntitlementSchema, GrantSchema, ResourceSchema } from '../../shared/c1z/messages.ts';
import type { C1zReader } from '../../shared/c1z/reader.ts';
import type { Output } from './output.ts';
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

/** SQLite orders TEXT by UTF-8 bytes; JS `<` by UTF-16 units. They differ only past U+FFFF vs U+E000-U+FFFF. */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function same(kind: Kind, a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  // Equal messages can serialise differently (field order, another writer); compare as messages.
  const schema = SCHEMAS[kind];
  return equals(schema as typeof ResourceSchema, fromBinary(schema as typeof ResourceSchema, a), fromBinary(schema as typeof ResourceSchema, b));
}

export function* changes(kind: Kind, older: C1zReader, newer: C1zReader): Generator<Change> {
  const a = older.keyed(kind);
  const b = newer.keyed(kind);
  let x = a.next();
  let y = b.next();
  while (!x.done || !y.done) {
    const order = x.done ? 1 : y.done ? -1 : compareKeys(x.value.key, y.value.key);
    if (order < 0) {
      yield { bucket: 'deleted', key: x.value!.key, data: x.value!.data };
      x = a.next();
    } else if (order > 0) {
      yield { bucket: 'created', key: y.value!.key, data: y.value!.data };
      y = b.next();
    } else {
      if (!same(kind, x.value!.data, y.value!.data)) yield { bucket: 'modified', key: y.value!.key, data: y.value!.data };
      x = a.next();
      y = b.next();
    }
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
  return name ? `  ${JSON.stringify(name)}` : '';
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
    await out.line('}');
    return out.flush();
  }
  const totals: string[] = [];
  for (const kind of KINDS) {
    const n: Record<Bucket, number> = { created: 0, deleted: 0, modified: 0 };
    for (const c of changes(kind, older, newer)) {
      n[c.bucket] += 1;
      await out.line(`${SIGN[c.bucket]} ${SINGULAR[kind]} ${c.key}${label(kind, c.data)}`);
    }
    totals.push(`${kind}: ${n.created} added, ${n.deleted} removed, ${n.modified} changed`);
  }
  await out.line(`${older.path} (sync ${older.sync.syncId}) → ${newer.path} (sync ${newer.sync.syncId})`);
  for (const t of totals) await out.line(t);
  await out.flush();
}
