// The baton CLI's views of a c1z (resources, entitlements, grants, resource-types, syncs, stats):
// the same columns on the console and the same JSON documents (baton's ResourceListOutput,
// GrantListOutput… in protobuf JSON), streamed row by row.
import {
  type Entitlement,
  EntitlementSchema,
  GrantSchema,
  type Resource,
  ResourceSchema,
  type ResourceType,
  ResourceType_Trait,
  ResourceTypeSchema,
} from '../../shared/c1z/messages.ts';
import type { C1zReader, RowFilter, SyncRun, TypeStats } from '../../shared/c1z/reader.ts';
import type { Output } from './output.ts';
import { protoJson } from './proto-json.ts';
import { TableWriter, table } from './table.ts';
import { UsageError } from './usage.ts';

export type Format = 'console' | 'json';
export type ViewName = 'resources' | 'entitlements' | 'grants' | 'resource-types' | 'syncs' | 'stats';

export interface ViewOptions {
  format: Format;
  filter: RowFilter;
}

/** Writes one view. In JSON it is one document whose list is streamed between `prefix` and `]}`. */
export async function writeView(view: ViewName, reader: C1zReader, out: Output, options: ViewOptions, prefix = '{'): Promise<void> {
  if (options.filter.resourceType !== undefined) checkResourceType(reader, options.filter.resourceType);
  const lookups = new Lookups(reader);
  switch (view) {
    case 'resources':
      return list(out, options, prefix, 'resources', ['ID', 'Display Name', 'Resource Type', 'Parent Resource'], reader.resources(options.filter), (r) => {
        const type = lookups.type(r.id?.resourceType ?? '');
        const parent = r.parentResourceId ? lookups.resource(r.parentResourceId.resourceType, r.parentResourceId.resource) : undefined;
        return {
          json: {
            resource: protoJson(ResourceSchema, r),
            ...(type && { resourceType: protoJson(ResourceTypeSchema, type) }),
            ...(parent && { parent: protoJson(ResourceSchema, parent) }),
          },
          row: [
            r.id?.resource ?? '',
            r.displayName,
            type?.displayName ?? r.id?.resourceType ?? '',
            parent ? `${parent.displayName} (${parent.id?.resourceType})` : '-',
          ],
        };
      });
    case 'entitlements':
      return list(
        out,
        options,
        prefix,
        'entitlements',
        ['ID', 'Display Name', 'Resource Type', 'Resource', 'Permission'],
        reader.entitlements(options.filter),
        (e) => {
          const id = e.resource?.id;
          const type = lookups.type(id?.resourceType ?? '');
          const resource = id ? lookups.resource(id.resourceType, id.resource) : undefined;
          return {
            json: {
              entitlement: protoJson(EntitlementSchema, e),
              ...(resource && { resource: protoJson(ResourceSchema, resource) }),
              ...(type && { resourceType: protoJson(ResourceTypeSchema, type) }),
            },
            row: [e.id, e.displayName, type?.displayName ?? id?.resourceType ?? '', resource?.displayName ?? id?.resource ?? '', e.slug],
          };
        },
      );
    case 'grants':
      return list(out, options, prefix, 'grants', ['ID', 'Resource Type', 'Resource', 'Entitlement', 'Principal'], reader.grants(options.filter), (g) => {
        const id = g.entitlement?.resource?.id;
        const entitlement = lookups.entitlement(g.entitlement?.id ?? '');
        const principal = g.principal?.id ? lookups.resource(g.principal.id.resourceType, g.principal.id.resource) : undefined;
        const resource = id ? lookups.resource(id.resourceType, id.resource) : undefined;
        const type = lookups.type(id?.resourceType ?? '');
        return {
          json: {
            grant: protoJson(GrantSchema, g),
            ...(entitlement && { entitlement: protoJson(EntitlementSchema, entitlement) }),
            ...(resource && { resource: protoJson(ResourceSchema, resource) }),
            ...(type && { resourceType: protoJson(ResourceTypeSchema, type) }),
            ...(principal && { principal: protoJson(ResourceSchema, principal) }),
          },
          row: [
            g.id,
            type?.displayName ?? id?.resourceType ?? '',
            resource?.displayName ?? id?.resource ?? '',
            entitlement?.displayName ?? g.entitlement?.id ?? '',
            principal?.displayName ?? `${g.principal?.id?.resourceType}:${g.principal?.id?.resource}`,
          ],
        };
      });
    case 'resource-types':
      return list(out, options, prefix, 'resourceTypes', ['ID', 'Display Name', 'Traits'], reader.resourceTypes(), (t) => ({
        json: { resourceType: protoJson(ResourceTypeSchema, t) },
        row: [t.id, t.displayName, t.traits.map((x) => `TRAIT_${ResourceType_Trait[x] ?? x}`).join(', ')],
      }));
    case 'syncs':
      return list(out, options, prefix, 'syncs', ['ID', 'Started At', 'Ended At', 'Type', 'Parent ID', 'Token'], reader.syncRuns(), (s) => ({
        json: syncJson(s),
        row: [s.syncId, rfc3339(s.startedAt) ?? '', rfc3339(s.endedAt) ?? '', s.syncType, s.parentSyncId, s.syncToken],
      }));
    case 'stats': {
      const run = syncRunJson(reader);
      if (options.format === 'json') {
        // The run's own keys after whatever `prefix` opened (inspect puts its file summary first).
        await out.line(`${prefix}${JSON.stringify(run).slice(1)}`);
        return out.flush();
      }
      await out.line(statsTables(reader, run));
      return out.flush();
    }
  }
}

type Int64Map = Record<string, string>;

interface SyncStatsJson {
  resourceTypes?: string;
  resources?: string;
  entitlements?: string;
  grants?: string;
  resourcesByResourceType?: Int64Map;
  grantsByResourceType?: Int64Map;
  entitlementsByResourceType?: Int64Map;
}

/**
 * baton's `stats -o json`: the sync run (reader.v2.SyncRun in protobuf JSON) with its stats counted
 * as baton-sdk counts them: every resource type of the sync has a resource count, 0 included;
 * entitlements and grants per type only where there are some; int64 values as strings and zero
 * totals left out, as protobuf JSON does.
 */
export function syncRunJson(reader: C1zReader): Record<string, unknown> {
  const c = reader.counts();
  const known = new Set([...reader.resourceTypes()].map((t) => t.id));
  const types = reader.statsByResourceType();
  const int64 = (n: number) => (n === 0 ? undefined : String(n));
  const map = (pick: (t: TypeStats) => number, keepZero: boolean): Int64Map | undefined => {
    const entries = types.filter((t) => (keepZero ? known.has(t.resourceType) : pick(t) > 0)).map((t) => [t.resourceType, String(pick(t))] as const);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return entries.length === 0 ? undefined : Object.fromEntries(entries);
  };
  const stats: SyncStatsJson = {
    resourceTypes: int64(c.resourceTypes),
    // Only resources of the sync's resource types count, as in the SDK.
    resources: int64(types.filter((t) => known.has(t.resourceType)).reduce((n, t) => n + t.resources, 0)),
    entitlements: int64(c.entitlements),
    grants: int64(c.grants),
    resourcesByResourceType: map((t) => t.resources, true),
    grantsByResourceType: map((t) => t.grants, false),
    entitlementsByResourceType: map((t) => t.entitlements, false),
  };
  return { ...syncJson(reader.sync), stats: dropUndefined(stats) };
}

/** baton's console `stats`: the sync run, the totals, and resources, entitlements and grants per resource type. */
function statsTables(reader: C1zReader, run: Record<string, unknown>): string {
  const s = reader.sync;
  const stats = run.stats as SyncStatsJson;
  const seconds = (t: string | null) => rfc3339(t)?.replace(/\.\d+Z$/, 'Z');
  const duration = s.endedAt === null ? '-' : goDuration(Date.parse(rfc3339(s.endedAt)!) - Date.parse(rfc3339(s.startedAt)!));
  const info = table(
    ['Field', 'Value'],
    [
      ['Engine', 'sqlite'],
      ['Sync ID', s.syncId],
      ['Sync Type', s.syncType],
      ['Parent Sync ID', s.parentSyncId],
      ['Started At', seconds(s.startedAt) ?? '-'],
      ['Ended At', seconds(s.endedAt) ?? '-'],
      ['Duration', duration],
      ['Sync Token', s.syncToken],
    ],
  );
  const totals = table(
    ['Type', 'Count'],
    [
      ['Resource Types', stats.resourceTypes ?? '0'],
      ['Resources', stats.resources ?? '0'],
      ['Entitlements', stats.entitlements ?? '0'],
      ['Grants', stats.grants ?? '0'],
    ],
  );
  const n = (m: Int64Map | undefined, t: string) => m?.[t] ?? '0';
  const byType = [
    ...new Set([
      ...Object.keys(stats.resourcesByResourceType ?? {}),
      ...Object.keys(stats.entitlementsByResourceType ?? {}),
      ...Object.keys(stats.grantsByResourceType ?? {}),
    ]),
  ].sort();
  const breakdown = table(
    ['Resource Type', 'Resources', 'Entitlements', 'Grants'],
    byType.map((t) => [t, n(stats.resourcesByResourceType, t), n(stats.entitlementsByResourceType, t), n(stats.grantsByResourceType, t)]),
  );
  return (byType.length > 0 ? [info, totals, breakdown] : [info, totals]).join('\n\n');
}

/** Go's time.Duration.Round(time.Second).String() for a non-negative span: 0s, 45s, 2m5s, 1h0m3s. */
export function goDuration(ms: number): string {
  const total = Math.round(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A filter naming a type the file does not have is a typo, not an empty result. */
export function checkResourceType(reader: C1zReader, type: string): void {
  const known = reader.statsByResourceType().map((s) => s.resourceType);
  if (!known.includes(type)) {
    throw new UsageError(`unknown resource type ${JSON.stringify(type)} in ${reader.path}; its resource types are: ${known.join(', ') || '(none)'}`);
  }
}

async function list<T>(
  out: Output,
  options: ViewOptions,
  prefix: string,
  key: string,
  headers: string[],
  rows: Iterable<T>,
  shape: (row: T) => { json: unknown; row: (string | number)[] },
): Promise<void> {
  if (options.format === 'json') {
    await out.write(`${prefix}"${key}":[`);
    let first = true;
    for (const r of rows) {
      await out.write(`${first ? '' : ','}${JSON.stringify(shape(r).json)}`);
      first = false;
    }
    await out.line(']}');
    return out.flush();
  }
  const t = new TableWriter(headers, out);
  for (const r of rows) await t.row(shape(r).row);
  await t.end();
}

function syncJson(s: SyncRun): Record<string, string> {
  // protobuf JSON leaves out empty strings and unset timestamps, as baton's SyncOutput does.
  const doc: Record<string, string | undefined> = {
    id: s.syncId,
    startedAt: rfc3339(s.startedAt),
    endedAt: rfc3339(s.endedAt),
    syncToken: s.syncToken,
    syncType: s.syncType,
    parentSyncId: s.parentSyncId,
  };
  return Object.fromEntries(Object.entries(doc).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

/** SQLite's `2006-01-02 15:04:05.999999999` (UTC) as a protobuf JSON timestamp: 0, 3, 6 or 9 fraction digits. */
export function rfc3339(sqlite: string | null): string | undefined {
  if (!sqlite) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(sqlite);
  if (!m) return sqlite;
  const digits = (m[3] ?? '').replace(/0+$/, '');
  const fraction = digits === '' ? '' : `.${digits.padEnd(Math.ceil(digits.length / 3) * 3, '0').slice(0, 9)}`;
  return `${m[1]}T${m[2]}${fraction}Z`;
}

/** Small caches over the reader's lookups: grants point at the same few resources again and again. */
class Lookups {
  private readonly types = new Map<string, ResourceType | undefined>();
  private readonly resources = new Lru<Resource | undefined>(10_000);
  private readonly entitlements = new Lru<Entitlement | undefined>(10_000);

  private readonly reader: C1zReader;

  constructor(reader: C1zReader) {
    this.reader = reader;
  }

  type(id: string): ResourceType | undefined {
    if (!this.types.has(id)) this.types.set(id, this.reader.resourceType(id));
    return this.types.get(id);
  }

  resource(type: string, id: string): Resource | undefined {
    return this.resources.get(`${type}:${id}`, () => this.reader.resource(type, id));
  }

  entitlement(id: string): Entitlement | undefined {
    return this.entitlements.get(id, () => this.reader.entitlement(id));
  }
}

class Lru<V> {
  private readonly map = new Map<string, V>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get(key: string, load: () => V): V {
    if (this.map.has(key)) {
      const v = this.map.get(key) as V;
      this.map.delete(key);
      this.map.set(key, v);
      return v;
    }
    const v = load();
    this.map.set(key, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return v;
  }
}
