// resources, entitlements, grants, resource-types, stats, syncs: baton's read commands.
import type { Io } from './commands.ts';
import { formatOf, openForCommand } from './open-file.ts';
import type { Parsed } from './spec.ts';
import { UsageError } from './usage.ts';
import { type ViewName, writeView } from './views.ts';

export async function viewCommand(parsed: Parsed, io: Io, name?: string): Promise<void> {
  const view = name as ViewName;
  const v = parsed.values;
  const format = formatOf(view, v);
  const filter = {
    resourceType: v['resource-type'] as string | undefined,
    resourceId: v.resource as string | undefined,
    entitlementId: v.entitlement as string | undefined,
  };
  if (filter.resourceId !== undefined && filter.resourceType === undefined)
    throw new UsageError(`${view}: -r/--resource needs -t/--resource-type (ids are unique per type)`);
  if (filter.resourceId !== undefined && filter.entitlementId !== undefined) throw new UsageError(`${view}: use -r or -e, not both (as baton)`);
  const path = v.file as string;
  const reader = await openForCommand(view, path, v, v.file === 'sync.c1z' ? 'the default -f sync.c1z' : '-f');
  try {
    await writeView(view, reader, io.out, { format, filter });
  } finally {
    reader.close();
  }
}
