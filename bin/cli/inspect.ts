// `baton-serverless inspect FILE`: a summary of a c1z (its syncs, counts per resource type), or
// one of the row lists inside one JSON document with the summary.
import type { Io } from './commands.ts';
import { openForCommand } from './open-file.ts';
import type { Parsed } from './spec.ts';
import { formatBytes, table } from './table.ts';
import { UsageError } from './usage.ts';
import { checkResourceType, writeView } from './views.ts';

export async function inspectCommand(parsed: Parsed, io: Io): Promise<void> {
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('inspect: give exactly one FILE\nusage: baton-serverless inspect FILE [options]');
  const views = (['resources', 'entitlements', 'grants'] as const).filter((v) => values[v]);
  if (views.length > 1) throw new UsageError('inspect: choose one of --resources, --entitlements, --grants');
  const resourceType = values['resource-type'] as string | undefined;
  const reader = await openForCommand('inspect', file, values);
  try {
    if (resourceType !== undefined) checkResourceType(reader, resourceType);
    const view = views[0];
    const format = values.json ? 'json' : 'console';
    if (format === 'json') {
      const summary = {
        file,
        decodedBytes: reader.decodedBytes,
        syncRuns: reader.syncRuns(),
        sync: { ...reader.sync, chosenBy: reader.chosenBy },
        counts: reader.counts(),
        resourceTypes: reader.statsByResourceType(),
      };
      const head = JSON.stringify(summary);
      if (!view) return await io.out.line(head);
      return await writeView(view, reader, io.out, { format, filter: { resourceType } }, `${head.slice(0, -1)},`);
    }
    if (view) return await writeView(view, reader, io.out, { format, filter: { resourceType } });
    const c = reader.counts();
    const lines = [
      `${file}: c1z v1 (SQLite), ${formatBytes(reader.decodedBytes)} decoded`,
      '',
      table(
        ['sync id', 'type', 'started', 'ended'],
        reader.syncRuns().map((r) => [r.syncId, r.syncType, r.startedAt, r.endedAt ?? '(unfinished)']),
      ),
      '',
      `showing sync ${reader.sync.syncId} (${reader.chosenBy})`,
      '',
      table(
        ['resource type', 'resources', 'entitlements', 'grants'],
        [
          ...reader.statsByResourceType().map((s) => [s.resourceType, s.resources, s.entitlements, s.grants] as (string | number)[]),
          ['total', c.resources, c.entitlements, c.grants],
        ],
      ),
    ];
    for (const l of lines) await io.out.line(l);
  } finally {
    reader.close();
  }
}
