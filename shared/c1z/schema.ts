import type { Database } from 'better-sqlite3';

/**
 * The v1 schema exactly as baton-sdk v0.25 creates it (README.md here), index names included:
 * the v1_resources index names are swapped against their columns upstream and kept that way here.
 * Creation order follows the SDK.
 */
export const SCHEMA_DDL: readonly string[] = [
  'CREATE TABLE IF NOT EXISTS v1_resource_types (id integer primary key, external_id text not null, data blob not null, sync_id text not null, discovered_at datetime not null)',
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_resource_types_external_sync_v1 ON v1_resource_types (external_id, sync_id)',
  'CREATE TABLE IF NOT EXISTS v1_resources (id integer primary key, resource_type_id text not null, external_id text not null, parent_resource_type_id text, parent_resource_id text, data blob not null, sync_id text not null, discovered_at datetime not null)',
  'CREATE INDEX IF NOT EXISTS idx_resources_resource_type_id_v1 ON v1_resources (resource_type_id)',
  'CREATE INDEX IF NOT EXISTS idx_resources_external_sync_v1 ON v1_resources (parent_resource_type_id, parent_resource_id)',
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_resources_parent_resource_id_v1 ON v1_resources (external_id, sync_id)',
  'CREATE TABLE IF NOT EXISTS v1_entitlements (id integer primary key, resource_type_id text not null, resource_id text not null, external_id text not null, data blob not null, sync_id text not null, discovered_at datetime not null)',
  'CREATE INDEX IF NOT EXISTS idx_entitlements_resource_id_v1 ON v1_entitlements (resource_type_id, resource_id)',
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_entitlements_external_sync_v1 ON v1_entitlements (external_id, sync_id)',
  "CREATE TABLE IF NOT EXISTS v1_sync_runs (id integer primary key, sync_id text not null, started_at datetime not null, ended_at datetime, sync_token text not null, sync_type text not null default 'full', parent_sync_id text not null default '', linked_sync_id text not null default '', supports_diff integer not null default 0, grants_backfilled integer not null default 0, stats text, ingest_invariant_generation text not null default '', ingest_invariant_coverage text not null default '', ingest_invariant_mode text not null default '')",
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_sync_runs_sync_id_v1 ON v1_sync_runs (sync_id)',
  'CREATE TABLE IF NOT EXISTS v1_grants (id integer primary key, resource_type_id text not null, resource_id text not null, entitlement_id text not null, principal_resource_type_id text not null, principal_resource_id text not null, external_id text not null, expansion blob, needs_expansion integer not null default 0, data blob not null, sync_id text not null, discovered_at datetime not null)',
  'CREATE INDEX IF NOT EXISTS idx_grants_resource_type_id_resource_id_v1 ON v1_grants (resource_type_id, resource_id)',
  'CREATE INDEX IF NOT EXISTS idx_grants_principal_id_v1 ON v1_grants (principal_resource_type_id, principal_resource_id)',
  'CREATE INDEX IF NOT EXISTS idx_grants_entitlement_id_principal_id_v1 ON v1_grants (entitlement_id, principal_resource_type_id, principal_resource_id)',
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_grants_external_sync_v1 ON v1_grants (external_id, sync_id)',
  'CREATE INDEX IF NOT EXISTS idx_grants_entitlement_sync_grant_v1 ON v1_grants (entitlement_id, sync_id, id)',
  'CREATE INDEX IF NOT EXISTS idx_grants_sync_expansion_v1 ON v1_grants (sync_id) WHERE expansion IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS idx_grants_sync_needs_expansion_v1 ON v1_grants (sync_id) WHERE needs_expansion = 1',
  'CREATE TABLE IF NOT EXISTS v1_assets (id integer primary key, external_id text not null, content_type text not null, data blob not null, sync_id text not null, discovered_at datetime not null)',
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_assets_external_sync_v1 ON v1_assets (external_id, sync_id)',
  'CREATE TABLE IF NOT EXISTS v1_connector_sessions (id integer primary key, sync_id text NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL)',
  'CREATE UNIQUE INDEX IF NOT EXISTS idx_session_store_sync_key_v1 ON v1_connector_sessions (sync_id, key)',
];

/** The tables a v1 file must already have for us to call it one (the rest are created on open). */
export const CORE_TABLES = ['v1_resource_types', 'v1_resources', 'v1_entitlements', 'v1_grants', 'v1_sync_runs'] as const;

/** Columns older SDKs lacked; readers add them on open, at the end of the table. */
const ADDED_COLUMNS: Record<string, [string, string][]> = {
  v1_sync_runs: [
    ['sync_type', "text not null default 'full'"],
    ['parent_sync_id', "text not null default ''"],
    ['linked_sync_id', "text not null default ''"],
    ['supports_diff', 'integer not null default 0'],
    ['grants_backfilled', 'integer not null default 0'],
    ['stats', 'text'],
    ['ingest_invariant_generation', "text not null default ''"],
    ['ingest_invariant_coverage', "text not null default ''"],
    ['ingest_invariant_mode', "text not null default ''"],
  ],
  v1_grants: [
    ['expansion', 'blob'],
    ['needs_expansion', 'integer not null default 0'],
  ],
};

export function createSchema(db: Database): void {
  db.transaction(() => {
    for (const sql of SCHEMA_DDL) db.exec(sql);
  })();
}

export function tableNames(db: Database): Set<string> {
  const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/** Brings an older file's schema to the current one. Returns whether anything changed. */
export function migrateSchema(db: Database): boolean {
  let changed = false;
  db.transaction(() => {
    for (const [table, columns] of Object.entries(ADDED_COLUMNS)) {
      const have = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
      for (const [name, decl] of columns) {
        if (!have.has(name)) {
          db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${decl}`);
          changed = true;
        }
      }
    }
    for (const sql of SCHEMA_DDL) db.exec(sql);
  })();
  return changed;
}
