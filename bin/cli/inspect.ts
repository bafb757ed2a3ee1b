// `baton-serverless inspect FILE`: what the baton CLI shows of a c1z, as tables or one JSON document.
import { toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { parseArgs } from 'node:util';
import { EntitlementSchema, GrantSchema, ResourceSchema, Entitlement_PurposeValue, messageRegistry } from '../../shared/c1z/messages.ts';
import { openC1z } from '../../shared/c1z/reader.ts';
import { formatBytes, table } from './table.ts';
import { UsageError } from './usage.ts';

export async function inspectCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      resources: { type: 'boolean' },
      entitlements: { type: 'boolean' },
      grants: { type: 'boolean' },
      'resource-type': { type: 'string' },
      'sync-id': { type: 'string' },
      'max-decoded-mb': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('usage: baton-serverless inspect FILE [--resources|--entitlements|--grants] [--resource-type T] [--sync-id ID] [--max-decoded-mb N] [--json]');
  const views = (['resources', 'entitlements', 'grants'] as const).filter((v) => values[v]);
  if (views.length > 1) throw new UsageError('inspect: choose one of --resources, --entitlements, --grants');
  const resourceType = values['resource-type'];
  // Same knob and env var as baton-sdk's reader (BATON_DECODER_MAX_DECODED_SIZE_MB).
  const capMb = values['max-decoded-mb'] ?? process.env.BATON_DECODER_MAX_DECODED_SIZE_MB;
  const maxDecodedBytes = capMb === undefined ? undefined : Number(capMb) * 1024 * 1024;
  if (maxDecodedBytes !== undefined && !(maxDecodedBytes > 0)) throw new UsageError('inspect: --max-decoded-mb takes a positive number of MiB');
  const reader = await openC1z(file, { syncId: values['sync-id'], maxDecodedBytes });
  try {
    const view = views[0];
    if (values.json) {
      const doc: Record<string, unknown> = {
        file,
        decodedBytes: reader.decodedBytes,
        syncRuns: reader.syncRuns(),
        sync: { ...reader.sync, chosenBy: reader.chosenBy },
        counts: reader.counts(),
        resourceTypes: reader.statsByResourceType(),
      };
      if (view === 'resources') doc.resources = [...reader.resources({ resourceType })].map((r) => json(ResourceSchema, r));
      if (view === 'entitlements') doc.entitlements = [...reader.entitlements({ resourceType })].map((e) => json(EntitlementSchema, e));
      if (view === 'grants') doc.grants = [...reader.grants({ resourceType })].map((g) => json(GrantSchema, g));
      out(JSON.stringify(doc));
      return;
    }
    if (view === 'resources') {
      out(table(['resource type', 'id', 'display name', 'parent'], [...reader.resources({ resourceType })].map((r) => [r.id?.resourceType ?? '', r.id?.resource ?? '', r.displayName, r.parentResourceId ? `${r.parentResourceId.resourceType}:${r.parentResourceId.resource}` : ''])));
      return;
    }
    if (view === 'entitlements') {
      out(table(['id', 'display name', 'purpose', 'resource'], [...reader.entitlements({ resourceType })].map((e) => [e.id, e.displayName, Entitlement_PurposeValue[e.purpose] ?? String(e.purpose), e.resource?.displayName ?? ''])));
      return;
    }
    if (view === 'grants') {
      out(table(['entitlement', 'principal', 'grant id'], [...reader.grants({ resourceType })].map((g) => [g.entitlement?.id ?? '', `${g.principal?.id?.resourceType}:${g.principal?.id?.resource}`, g.id])));
      return;
    }
    const c = reader.counts();
    out(`${file}: c1z v1 (SQLite), ${formatBytes(reader.decodedBytes)} decoded`);
    out('');
    out(table(['sync id', 'type', 'started', 'ended'], reader.syncRuns().map((r) => [r.syncId, r.syncType, r.startedAt, r.endedAt ?? '(unfinished)'])));
    out('');
    out(`showing sync ${reader.sync.syncId} (${reader.chosenBy})`);
    out('');
    const stats = reader.statsByResourceType();
    out(table(['resource type', 'resources', 'entitlements', 'grants'], [...stats.map((s) => [s.resourceType, s.resources, s.entitlements, s.grants] as (string | number)[]), ['total', c.resources, c.entitlements, c.grants]]));
  } finally {
    reader.close();
  }
}

/**
 * protobuf JSON of a row. Annotations whose type we do not model (old files carry deprecated ones
 * such as ETag) cannot be rendered, so they are listed by type URL instead of failing the view.
 */
function json<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): unknown {
  const unknown: string[] = [];
  const known = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(known);
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'annotations' && Array.isArray(v)) {
        out[k] = v.filter((a: { typeUrl: string }) => {
          const ok = messageRegistry.getMessage(a.typeUrl.replace(/^.*\//, '')) !== undefined;
          if (!ok) unknown.push(a.typeUrl);
          return ok;
        });
      } else out[k] = known(v);
    }
    return out;
  };
  const doc = toJson(schema, known(message) as MessageShape<Desc>, { registry: messageRegistry }) as Record<string, unknown>;
  return unknown.length > 0 ? { ...doc, unrenderedAnnotations: [...new Set(unknown)] } : doc;
}
