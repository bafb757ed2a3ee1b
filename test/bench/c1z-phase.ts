// Child process of the c1z benchmark: `writer` (our writer, protobuf encoding included) or `floor`
// (pre-encoded blobs into bare prepared statements in one transaction, then zstd of the file).

import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createZstdCompress, constants as zc } from 'node:zlib';
import { toBinary } from '@bufbuild/protobuf';
import Database from 'better-sqlite3';
import { newKsuid } from '../../shared/c1z/ksuid.ts';
import { GrantSchema, ResourceSchema } from '../../shared/c1z/messages.ts';
import { SCHEMA_DDL } from '../../shared/c1z/schema.ts';
import { sqliteTimestamp } from '../../shared/c1z/timestamp.ts';
import { C1zWriter } from '../../shared/c1z/writer.ts';
import { group, memberEntitlement, membership, syntheticTenant, user } from '../support/tenant.ts';
import { peakRssMb } from './child.ts';

const [mode, dir, usersArg, groupsArg, grantsArg, zstdImpl] = process.argv.slice(2);
const users = Number(usersArg);
const groups = Number(groupsArg);
const grantCount = Number(grantsArg);
const tenant = syntheticTenant(users, groups, grantCount);

async function writer(): Promise<Record<string, number>> {
  const t0 = performance.now();
  const w = C1zWriter.create(`${dir}/writer.db`);
  w.startSync();
  w.putResourceTypes(tenant.resourceTypes);
  for (let i = 0; i < users; i += 500) w.putResources(Array.from({ length: Math.min(500, users - i) }, (_, k) => user(i + k)));
  for (let g = 0; g < groups; g++) {
    const res = group(g);
    w.putResources([res]);
    w.putEntitlements([memberEntitlement(res)]);
    const members = tenant.members(g);
    for (let i = 0; i < members.length; i += 500) w.putGrants(members.slice(i, i + 500).map((u) => membership(res, u)));
  }
  const counts = w.endSync();
  const packed = await w.finish(`${dir}/writer.c1z`);
  return {
    seconds: (performance.now() - t0) / 1000,
    rows: counts.resourceTypes + counts.resources + counts.entitlements + counts.grants,
    fileBytes: packed.bytes,
    dbBytes: packed.dbBytes,
  };
}

async function floor(): Promise<Record<string, number>> {
  // Encoding is outside the timed part: the floor is SQLite + zstd alone.
  const userBlobs = Array.from({ length: users }, (_, i) => toBinary(ResourceSchema, user(i)));
  const grantRows: [string, string, string, Uint8Array][] = [];
  const groupRows: [string, Uint8Array, string, Uint8Array][] = [];
  for (let g = 0; g < groups; g++) {
    const res = group(g);
    const ent = memberEntitlement(res);
    groupRows.push([`G${g}`, toBinary(ResourceSchema, res), ent.id, toBinary((await import('../../shared/c1z/messages.ts')).EntitlementSchema, ent)]);
    for (const u of tenant.members(g)) {
      const gr = membership(res, u);
      grantRows.push([`G${g}`, `U${u}`, gr.id, toBinary(GrantSchema, gr)]);
    }
  }
  // Same-sized sync id and timestamps as the writer's, so both files carry the same bytes.
  const now = sqliteTimestamp();
  const t0 = performance.now();
  const db = new Database(`${dir}/floor.db`);
  db.pragma('journal_mode = TRUNCATE');
  db.pragma('synchronous = OFF');
  for (const sql of SCHEMA_DDL) db.exec(sql);
  const rt = db.prepare('INSERT INTO v1_resource_types (external_id, data, sync_id, discovered_at) VALUES (?, ?, ?, ?)');
  const res = db.prepare(
    'INSERT INTO v1_resources (resource_type_id, external_id, parent_resource_type_id, parent_resource_id, data, sync_id, discovered_at) VALUES (?, ?, NULL, NULL, ?, ?, ?)',
  );
  const ent = db.prepare('INSERT INTO v1_entitlements (resource_type_id, resource_id, external_id, data, sync_id, discovered_at) VALUES (?, ?, ?, ?, ?, ?)');
  const gr = db.prepare(
    'INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, principal_resource_type_id, principal_resource_id, external_id, expansion, needs_expansion, data, sync_id, discovered_at) VALUES (?, ?, ?, ?, ?, ?, NULL, 0, ?, ?, ?)',
  );
  const sync = newKsuid();
  db.transaction(() => {
    rt.run('user', Buffer.alloc(8), sync, now);
    rt.run('group', Buffer.alloc(8), sync, now);
    userBlobs.forEach((b, i) => res.run('user', `user:U${i}`, b, sync, now));
    for (const [g, blob, entId, entBlob] of groupRows) {
      res.run('group', `group:${g}`, blob, sync, now);
      ent.run('group', g, entId, entBlob, sync, now);
    }
    for (const [g, u, id, blob] of grantRows) gr.run('group', g, `group:${g}:member`, 'user', u, id, blob, sync, now);
  })();
  db.close();
  const size = statSync(`${dir}/floor.db`).size;
  const z0 = performance.now();
  const out = createWriteStream(`${dir}/floor.c1z`);
  out.write(Buffer.from('C1ZF\0', 'latin1'));
  if (zstdImpl === 'zstd-napi') {
    const { CompressStream } = await import('zstd-napi' as string);
    const cs = new CompressStream({ compressionLevel: 3, checksumFlag: true, contentSizeFlag: true });
    await pipeline(createReadStream(`${dir}/floor.db`), cs, out);
  } else {
    await pipeline(
      createReadStream(`${dir}/floor.db`),
      createZstdCompress({ pledgedSrcSize: size, params: { [zc.ZSTD_c_compressionLevel]: 3, [zc.ZSTD_c_checksumFlag]: 1 } }),
      out,
    );
  }
  return {
    zstdSeconds: (performance.now() - z0) / 1000,
    seconds: (performance.now() - t0) / 1000,
    rows: 2 + users + groups * 2 + grantRows.length,
    fileBytes: statSync(`${dir}/floor.c1z`).size,
    dbBytes: size,
  };
}

const figures = mode === 'writer' ? await writer() : await floor();
process.send!({ ...figures, peakRssMb: peakRssMb() });
