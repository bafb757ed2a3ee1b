// Streams one sync's rows into a fresh v1 SQLite file: batched upserts in transactions, the sync
// run row, and the pack step into a c1z. Memory stays bounded by one batch.

import { existsSync } from 'node:fs';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { type EncodeResult, encodeV1 } from './container.ts';
import { encodeGrant } from './encode.ts';
import { C1zError } from './errors.ts';
import { newKsuid } from './ksuid.ts';
import {
  type Entitlement,
  EntitlementSchema,
  type Grant,
  GrantExpandableSchema,
  type Resource,
  ResourceSchema,
  type ResourceType,
  ResourceTypeSchema,
} from './messages.ts';
import { createSchema } from './schema.ts';
import { sqliteTimestamp } from './timestamp.ts';

const EXPANDABLE_TYPE_URL = `type.googleapis.com/${GrantExpandableSchema.typeName}`;
/** Tables whose rows are only ever added (or rewritten in place with the same content): a checkpoint part carries their new rows only. */
const ROW_TABLES: readonly string[] = ['v1_resource_types', 'v1_resources', 'v1_entitlements', 'v1_grants', 'v1_assets'];
/** Rows buffered before one transaction writes them. */
const BATCH_ROWS = 5000;

export interface Counts {
  resourceTypes: number;
  resources: number;
  entitlements: number;
  grants: number;
}

export interface ResourceKey {
  rowId: number;
  resourceType: string;
  resourceId: string;
}

type Pending = { stmt: Statement; args: unknown[] };

export class C1zWriter {
  readonly dbPath: string;
  private readonly db: Db;
  private readonly stmts: Record<'rt' | 'res' | 'ent' | 'grant' | 'checkpoint' | 'getRes' | 'keys' | 'stateGet' | 'stateSet' | 'stateDelete', Statement>;
  private pending: Pending[] = [];
  /** Connector-state writes still in `pending` (undefined: deleted), so a read needs no flush. */
  private pendingState = new Map<string, string | undefined>();
  private syncIdValue: string | undefined;
  private closed = false;

  private constructor(dbPath: string) {
    this.dbPath = dbPath;
    this.db = new Database(dbPath);
    // Only the main file travels in a c1z, so a rollback journal (header bytes 18–19 = 1) is
    // required. It is kept in memory: batches can still roll back, no journal file is written per
    // commit, and durability comes from the fsync of the finished c1z, not from SQLite.
    this.db.pragma('journal_mode = MEMORY');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('locking_mode = EXCLUSIVE');
    this.db.pragma('cache_size = -16000');
    createSchema(this.db);
    this.stmts = {
      rt: this.db.prepare(
        'INSERT INTO v1_resource_types (external_id, data, sync_id, discovered_at) VALUES (?, ?, ?, ?) ON CONFLICT (external_id, sync_id) DO UPDATE SET data = excluded.data',
      ),
      res: this.db.prepare(
        'INSERT INTO v1_resources (resource_type_id, external_id, parent_resource_type_id, parent_resource_id, data, sync_id, discovered_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (external_id, sync_id) DO UPDATE SET data = excluded.data',
      ),
      ent: this.db.prepare(
        'INSERT INTO v1_entitlements (resource_type_id, resource_id, external_id, data, sync_id, discovered_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (external_id, sync_id) DO UPDATE SET data = excluded.data',
      ),
      grant: this.db.prepare(
        `INSERT INTO v1_grants (resource_type_id, resource_id, entitlement_id, principal_resource_type_id, principal_resource_id, external_id, expansion, needs_expansion, data, sync_id, discovered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (external_id, sync_id) DO UPDATE SET data = excluded.data, expansion = excluded.expansion,
           needs_expansion = CASE WHEN excluded.expansion IS NULL THEN 0 WHEN v1_grants.expansion IS excluded.expansion THEN v1_grants.needs_expansion ELSE 1 END`,
      ),
      checkpoint: this.db.prepare('UPDATE v1_sync_runs SET sync_token = ? WHERE sync_id = ?'),
      getRes: this.db.prepare('SELECT data FROM v1_resources WHERE resource_type_id = ? AND external_id = ? AND sync_id = ?'),
      keys: this.db.prepare('SELECT id, resource_type_id, external_id FROM v1_resources WHERE sync_id = ? AND id > ? ORDER BY id LIMIT ?'),
      // Connector state lives in baton-sdk's own per-sync key-value table, so checkpoints carry it
      // with no schema of ours; endSync() empties it.
      stateGet: this.db.prepare('SELECT value FROM v1_connector_sessions WHERE sync_id = ? AND key = ?'),
      stateSet: this.db.prepare(
        'INSERT INTO v1_connector_sessions (sync_id, key, value) VALUES (?, ?, ?) ON CONFLICT (sync_id, key) DO UPDATE SET value = excluded.value',
      ),
      stateDelete: this.db.prepare('DELETE FROM v1_connector_sessions WHERE sync_id = ? AND key = ?'),
    };
  }

  /** Creates a new database at `dbPath` (which must not exist). */
  static create(dbPath: string): C1zWriter {
    if (existsSync(dbPath)) throw new C1zError('exists', `${dbPath}: refusing to write over an existing database`);
    try {
      return new C1zWriter(dbPath);
    } catch (err) {
      throw new C1zError('write_failed', `${dbPath}: cannot create the sync database (${(err as Error).message})`, { cause: err });
    }
  }

  /**
   * Reopens a database restored from a checkpoint to go on with its unfinished sync `syncId`.
   * Fails if that run is missing or already ended: a checkpoint is only ever trusted as what it says.
   */
  static resume(dbPath: string, syncId: string): C1zWriter {
    if (!existsSync(dbPath)) throw new C1zError('not_found', `${dbPath}: no sync database to resume`);
    let writer: C1zWriter;
    try {
      writer = new C1zWriter(dbPath);
    } catch (err) {
      throw new C1zError('write_failed', `${dbPath}: cannot open the sync database (${(err as Error).message})`, { cause: err });
    }
    const run = writer.db.prepare('SELECT ended_at AS endedAt FROM v1_sync_runs WHERE sync_id = ?').get(syncId) as { endedAt: string | null } | undefined;
    if (!run || run.endedAt !== null) {
      writer.close();
      throw new C1zError('no_sync', `${dbPath}: holds no unfinished sync ${syncId}`);
    }
    writer.syncIdValue = syncId;
    return writer;
  }

  /** The engine state last written by checkpoint(). */
  token(): string {
    return (this.db.prepare('SELECT sync_token AS t FROM v1_sync_runs WHERE sync_id = ?').get(this.syncId) as { t: string }).t;
  }

  get syncId(): string {
    if (!this.syncIdValue) throw new C1zError('no_sync', 'no sync started');
    return this.syncIdValue;
  }

  /** Starts a full sync run and returns its KSUID. */
  startSync(now = new Date(), id = newKsuid(now)): string {
    if (this.syncIdValue) throw new C1zError('sync_open', `sync ${this.syncIdValue} is already started`);
    this.db
      .prepare(
        "INSERT INTO v1_sync_runs (sync_id, started_at, sync_token, sync_type, parent_sync_id, linked_sync_id, supports_diff, grants_backfilled) VALUES (?, ?, '', 'full', '', '', 1, 1)",
      )
      .run(id, sqliteTimestamp(now));
    this.syncIdValue = id;
    return id;
  }

  putResourceTypes(rows: readonly ResourceType[]): void {
    const now = sqliteTimestamp();
    for (const rt of rows) this.queue(this.stmts.rt, [rt.id, toBinary(ResourceTypeSchema, rt), this.syncId, now]);
  }

  putResources(rows: readonly Resource[]): void {
    const now = sqliteTimestamp();
    for (const r of rows) {
      const id = requireId(r.id, 'resource');
      this.queue(this.stmts.res, [
        id.resourceType,
        `${id.resourceType}:${id.resource}`,
        r.parentResourceId?.resourceType ?? null,
        r.parentResourceId?.resource ?? null,
        toBinary(ResourceSchema, r),
        this.syncId,
        now,
      ]);
    }
  }

  putEntitlements(rows: readonly Entitlement[]): void {
    const now = sqliteTimestamp();
    for (const e of rows) {
      const id = requireId(e.resource?.id, `entitlement ${e.id}`);
      this.queue(this.stmts.ent, [id.resourceType, id.resource, e.id, toBinary(EntitlementSchema, e), this.syncId, now]);
    }
  }

  putGrants(rows: readonly Grant[]): void {
    const now = sqliteTimestamp();
    for (const g of rows) {
      const res = requireId(g.entitlement?.resource?.id, `grant ${g.id}`);
      const principal = requireId(g.principal?.id, `grant ${g.id} principal`);
      // The HEAD writer moves GrantExpandable out of the blob into `expansion`, sparing readers a backfill.
      const expandable = g.annotations.find((a) => a.typeUrl === EXPANDABLE_TYPE_URL);
      let expansion: Uint8Array | null = null;
      let data = g;
      if (expandable) {
        data = { ...g, annotations: g.annotations.filter((a) => a !== expandable) };
        const parsed = fromBinary(GrantExpandableSchema, expandable.value);
        if (parsed.entitlementIds.some((id) => id.trim() !== '')) expansion = expandable.value;
      }
      this.queue(this.stmts.grant, [
        res.resourceType,
        res.resource,
        g.entitlement?.id ?? '',
        principal.resourceType,
        principal.resource,
        g.id,
        expansion,
        expansion ? 1 : 0,
        encodeGrant(data),
        this.syncId,
        now,
      ]);
    }
  }

  /** A resource written earlier in this sync (the engine re-reads it to ask for its grants). */
  hasResource(resourceType: string, resourceId: string): boolean {
    this.flush();
    return this.stmts.getRes.get(resourceType, `${resourceType}:${resourceId}`, this.syncId) !== undefined;
  }

  getResource(resourceType: string, resourceId: string): Resource | undefined {
    this.flush();
    const row = this.stmts.getRes.get(resourceType, `${resourceType}:${resourceId}`, this.syncId) as { data: Buffer } | undefined;
    return row ? fromBinary(ResourceSchema, row.data) : undefined;
  }

  /** Resources of this sync after `afterRowId`, in write order: a stable cursor for the engine. */
  resourceKeys(afterRowId: number, limit: number): ResourceKey[] {
    this.flush();
    const rows = this.stmts.keys.all(this.syncId, afterRowId, limit) as { id: number; resource_type_id: string; external_id: string }[];
    return rows.map((r) => ({ rowId: r.id, resourceType: r.resource_type_id, resourceId: r.external_id.slice(r.resource_type_id.length + 1) }));
  }

  /**
   * Resources of `types` after `afterRowId`, in write order, and the row id the scan covered: up to
   * the last one returned when `limit` are, else every resource written so far.
   */
  resourceKeysOf(types: readonly string[], afterRowId: number, limit: number): { keys: ResourceKey[]; scannedTo: number } {
    this.flush();
    const rows = this.db
      .prepare(
        `SELECT id, resource_type_id, external_id FROM v1_resources WHERE sync_id = ? AND id > ? AND resource_type_id IN (${types.map(() => '?').join(', ')}) ORDER BY id LIMIT ?`,
      )
      .all(this.syncId, afterRowId, ...types, limit) as { id: number; resource_type_id: string; external_id: string }[];
    const keys = rows.map((r) => ({ rowId: r.id, resourceType: r.resource_type_id, resourceId: r.external_id.slice(r.resource_type_id.length + 1) }));
    if (keys.length === limit) return { keys, scannedTo: keys.at(-1)!.rowId };
    const last = (this.db.prepare('SELECT coalesce(max(id), 0) AS m FROM v1_resources').get() as { m: number }).m;
    return { keys, scannedTo: Math.max(afterRowId, last) };
  }

  /** The connector's state value under `key` in this sync (ConnectorRuntime.state). */
  stateGet(key: string): string | undefined {
    if (this.pendingState.has(key)) return this.pendingState.get(key);
    const row = this.stmts.stateGet.get(this.syncId, key) as { value: Buffer } | undefined;
    return row ? row.value.toString('utf8') : undefined;
  }

  /** Batched with the rows, so a checkpoint holds the state together with the rows it goes with. */
  stateSet(key: string, value: string): void {
    this.pendingState.set(key, value);
    this.queue(this.stmts.stateSet, [this.syncId, key, Buffer.from(value, 'utf8')]);
  }

  stateDelete(key: string): void {
    this.pendingState.set(key, undefined);
    this.queue(this.stmts.stateDelete, [this.syncId, key]);
  }

  /** Writes buffered rows and the engine's progress in one transaction. */
  checkpoint(token: string): void {
    this.flush([{ stmt: this.stmts.checkpoint, args: [token, this.syncId] }]);
  }

  counts(): Counts {
    this.flush();
    const count = (table: string) => (this.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE sync_id = ?`).get(this.syncId) as { n: number }).n;
    return {
      resourceTypes: count('v1_resource_types'),
      resources: count('v1_resources'),
      entitlements: count('v1_entitlements'),
      grants: count('v1_grants'),
    };
  }

  /** Ends the sync: ended_at, stats, and an empty token (a finished sync needs none). */
  endSync(now = new Date()): Counts {
    this.flush();
    const counts = this.counts();
    const byType = (table: string) =>
      Object.fromEntries(
        (
          this.db
            .prepare(`SELECT resource_type_id AS t, count(*) AS n FROM ${table} WHERE sync_id = ? GROUP BY resource_type_id ORDER BY resource_type_id`)
            .all(this.syncId) as {
            t: string;
            n: number;
          }[]
        ).map((r) => [r.t, r.n]),
      );
    const zeroPerType = Object.fromEntries(
      (this.db.prepare('SELECT external_id AS t FROM v1_resource_types WHERE sync_id = ? ORDER BY external_id').all(this.syncId) as { t: string }[]).map(
        (r) => [r.t, 0],
      ),
    );
    const stats = omitZero({
      resource_types: counts.resourceTypes,
      resources: counts.resources,
      entitlements: counts.entitlements,
      grants: counts.grants,
      // Every resource type of the sync, 0 included, as baton-sdk's own count stores it.
      resources_by_resource_type: { ...zeroPerType, ...byType('v1_resources') },
      grants_by_resource_type: byType('v1_grants'),
      entitlements_by_resource_type: byType('v1_entitlements'),
    });
    this.db
      .prepare("UPDATE v1_sync_runs SET ended_at = ?, sync_token = '', stats = ? WHERE sync_id = ? AND ended_at IS NULL")
      .run(sqliteTimestamp(now), JSON.stringify(stats), this.syncId);
    // A finished sync carries no connector state; its freed pages are zeroed so none of it is packed.
    this.db.pragma('secure_delete = ON');
    this.db.prepare('DELETE FROM v1_connector_sessions WHERE sync_id = ?').run(this.syncId);
    return counts;
  }

  /** The highest row id of each append-only row table: where the next checkpoint part starts. */
  rowMarks(): Record<string, number> {
    this.flush();
    const marks: Record<string, number> = {};
    for (const table of this.tables()) {
      if (ROW_TABLES.includes(table)) marks[table] = (this.db.prepare(`SELECT coalesce(max(id), 0) AS m FROM main."${table}"`).get() as { m: number }).m;
    }
    return marks;
  }

  /**
   * Copies what changed since `marks` into a new SQLite file at `path` (a checkpoint part): rows of
   * the append-only row tables with an id above their mark, and every other table (the sync run
   * and its token, connector state) whole. Returns the marks to pass next time.
   */
  exportChanges(path: string, marks: Readonly<Record<string, number>>): Record<string, number> {
    this.flush();
    const next: Record<string, number> = {};
    this.db.prepare('ATTACH DATABASE ? AS part').run(path);
    try {
      this.db.transaction(() => {
        for (const table of this.tables()) {
          const appendOnly = ROW_TABLES.includes(table);
          const since = appendOnly ? ` WHERE id > ${Math.trunc(marks[table] ?? 0)}` : '';
          this.db.exec(`CREATE TABLE part."${table}" AS SELECT * FROM main."${table}"${since}`);
          if (appendOnly) next[table] = (this.db.prepare(`SELECT coalesce(max(id), 0) AS m FROM main."${table}"`).get() as { m: number }).m;
        }
      })();
    } catch (err) {
      const full = (err as { code?: string }).code === 'SQLITE_FULL';
      throw new C1zError(full ? 'no_space' : 'write_failed', `${path}: cannot write the checkpoint part (${full ? 'disk full' : (err as Error).message})`, {
        cause: err,
      });
    } finally {
      this.db.prepare('DETACH DATABASE part').run();
    }
    return next;
  }

  /** Applies checkpoint parts (SQLite files from exportChanges, oldest first) to this database. */
  importChanges(parts: readonly string[]): void {
    this.flush();
    const known = new Set(this.tables());
    for (const path of parts) {
      this.db.prepare('ATTACH DATABASE ? AS part').run(path);
      try {
        const tables = (this.db.prepare("SELECT name FROM part.sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
        this.db.transaction(() => {
          for (const table of tables) {
            if (!known.has(table)) throw new C1zError('corrupt', `${path}: checkpoint part holds unknown table ${JSON.stringify(table)}`);
            if (!ROW_TABLES.includes(table)) this.db.exec(`DELETE FROM main."${table}"`);
            this.db.exec(`INSERT OR REPLACE INTO main."${table}" SELECT * FROM part."${table}"`);
          }
        })();
      } finally {
        this.db.prepare('DETACH DATABASE part').run();
      }
    }
  }

  private tables(): string[] {
    return (this.db.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map(
      (r) => r.name,
    );
  }

  /** Closes the database and packs it into `out` (atomic: temp file, fsync, rename). */
  async finish(out: string): Promise<EncodeResult> {
    this.close();
    return encodeV1(this.dbPath, out);
  }

  /** Writes what is buffered and closes; the database is closed even when that write fails. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      this.db.close();
    }
  }

  private queue(stmt: Statement, args: unknown[]): void {
    this.pending.push({ stmt, args });
    if (this.pending.length >= BATCH_ROWS) this.flush();
  }

  private flush(extra: Pending[] = []): void {
    if (this.pending.length === 0 && extra.length === 0) return;
    const batch = this.pending.concat(extra);
    this.pending = [];
    this.pendingState.clear();
    try {
      this.db.transaction(() => {
        for (const p of batch) p.stmt.run(...p.args);
      })();
    } catch (err) {
      const e = err as { code?: string; message: string };
      const full = e.code === 'SQLITE_FULL';
      throw new C1zError(
        full ? 'no_space' : 'write_failed',
        `${this.dbPath}: ${full ? 'disk full while writing the sync database' : `cannot write rows (${e.message})`}`,
        { cause: err },
      );
    }
  }
}

function requireId<T extends { resourceType: string; resource: string }>(id: T | undefined, what: string): T {
  if (!id?.resourceType || !id.resource) throw new C1zError('invalid_row', `${what} has no resource id`);
  return id;
}

function omitZero(o: Record<string, number | Record<string, number>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => (typeof v === 'number' ? v !== 0 : Object.keys(v).length > 0)));
}
