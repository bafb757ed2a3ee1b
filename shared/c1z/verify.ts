// The last check before a c1z leaves the machine: the packed file must decode to exactly the
// database we closed, and that database must hold one finished full sync with the counts we wrote.
import Database from 'better-sqlite3';
import { decodeV1, type EncodeResult } from './container.ts';
import { C1zError } from './errors.ts';
import { chooseSync, type SyncRun } from './reader.ts';
import type { Counts } from './writer.ts';

/**
 * `finished: false` checks a checkpoint instead: sync `syncId` is there, unfinished, with a token
 * to resume from, and the file decodes to the database byte for byte.
 */
export async function verifyPacked(file: string, dbPath: string, packed: EncodeResult, syncId: string, counts: Counts, finished = true): Promise<void> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const runs = db
      .prepare('SELECT sync_id AS syncId, started_at AS startedAt, ended_at AS endedAt, sync_type AS syncType, sync_token AS syncToken FROM v1_sync_runs')
      .all() as SyncRun[];
    if (!finished) {
      const run = runs.find((r) => r.syncId === syncId);
      if (!run || run.endedAt !== null || !run.syncToken)
        throw new C1zError('verify_failed', `${file}: holds no unfinished sync ${syncId} with a checkpoint token`);
    }
    const chosen = finished ? chooseSync(runs) : { run: { syncId, endedAt: '', syncType: 'full' } };
    if (!chosen || chosen.run.syncId !== syncId || chosen.run.endedAt === null || chosen.run.syncType !== 'full') {
      throw new C1zError('verify_failed', `${file}: a reader would not pick sync ${syncId} as the latest finished full sync`);
    }
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE sync_id = ?`).get(syncId) as { n: number }).n;
    const found: Counts = {
      resourceTypes: count('v1_resource_types'),
      resources: count('v1_resources'),
      entitlements: count('v1_entitlements'),
      grants: count('v1_grants'),
    };
    if (JSON.stringify(found) !== JSON.stringify(counts)) {
      throw new C1zError('verify_failed', `${file}: the sync database holds ${JSON.stringify(found)}, expected ${JSON.stringify(counts)}`);
    }
    if (finished && found.resourceTypes === 0) throw new C1zError('verify_failed', `${file}: the sync has no resource types`);
  } finally {
    db.close();
  }
  const decoded = await decodeV1(file, undefined, Number.MAX_SAFE_INTEGER, { sameAs: dbPath });
  if (decoded.bytes !== packed.dbBytes) throw new C1zError('verify_failed', `${file}: the packed c1z does not decode to the sync database (sizes differ)`);
}

/**
 * A checkpoint part before it leaves the machine: it decodes to exactly the part database, and
 * that holds sync `syncId`, unfinished, with a token to resume from.
 */
export async function verifyPart(file: string, partDb: string, packed: EncodeResult, syncId: string): Promise<void> {
  const db = new Database(partDb, { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare('SELECT ended_at AS endedAt, sync_token AS token FROM v1_sync_runs WHERE sync_id = ?').get(syncId) as
      | { endedAt: string | null; token: string }
      | undefined;
    if (!run || run.endedAt !== null || !run.token) throw new C1zError('verify_failed', `${file}: holds no unfinished sync ${syncId} with a checkpoint token`);
  } finally {
    db.close();
  }
  const decoded = await decodeV1(file, undefined, Number.MAX_SAFE_INTEGER, { sameAs: partDb });
  if (decoded.bytes !== packed.dbBytes)
    throw new C1zError('verify_failed', `${file}: the packed checkpoint part does not decode to the part database (sizes differ)`);
}
