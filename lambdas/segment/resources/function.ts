import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { FUNCTION_KINDS } from '../client.ts';
import type { SegmentContext } from '../context.ts';
import { permissionTargetSyncer } from './permission-target.ts';
import { functionType } from './types.ts';

// Page token `<kind index>:<cursor>`: the three function kinds are listed one after another,
// each with real pagination (the Go connector fetched all pages inside a single List call).
function parseToken(token: string | undefined): { kind: number; cursor: string | undefined } {
  if (!token) return { kind: 0, cursor: undefined };
  const i = token.indexOf(':');
  const kind = Number(token.slice(0, i));
  const cursor = token.slice(i + 1);
  return { kind: Number.isInteger(kind) ? kind : 0, cursor: cursor === '' ? undefined : cursor };
}

export function functionSyncer(ctx: SegmentContext): ResourceSyncer {
  return permissionTargetSyncer(ctx, 'function', functionType, async (token) => {
    const { kind, cursor } = parseToken(token);
    const kindName = FUNCTION_KINDS[kind];
    if (!kindName) return { rows: [] };
    const page = await ctx.client.functions(kindName, cursor);
    let nextPageToken: string | undefined;
    if (page.nextPageToken) nextPageToken = `${kind}:${page.nextPageToken}`;
    else if (kind + 1 < FUNCTION_KINDS.length) nextPageToken = `${kind + 1}:`;
    return { rows: page.rows, nextPageToken };
  });
}
