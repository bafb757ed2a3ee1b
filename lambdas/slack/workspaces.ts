// The org's workspaces (auth.teams.list), read once per sync (its pages are kept in the connector
// state) and shared by the workspace listing, the user listing (which walks every workspace in id
// order) and the workspace-role entitlements (which need the names).
import type { Page } from '../../shared/sync/connector.ts';
import type { SlackTeam } from './client.ts';
import type { SlackContext } from './context.ts';

/** One auth.teams.list page, fetched once per sync however many syncers and slices ask for it. */
export function teamsPage(ctx: SlackContext, cursor: string): Promise<Page<SlackTeam>> {
  const pages = ctx.state.teamPages;
  let page = pages.get(cursor);
  if (!page) {
    const stored = ctx.state.storedTeamsPage(cursor);
    page = stored
      ? Promise.resolve(stored)
      : ctx.client.teamsPage(cursor).then((p) => {
          ctx.state.putTeamsPage(cursor, p);
          return p;
        });
    // A failed call must not stick: the engine retries the page with a fresh attempt.
    page.catch(() => pages.delete(cursor));
    pages.set(cursor, page);
  }
  return page;
}

/** Every workspace's id, sorted: the order the user listing walks them in. */
export async function workspaceIds(ctx: SlackContext): Promise<string[]> {
  const ids: string[] = [];
  let cursor = '';
  do {
    const page = await teamsPage(ctx, cursor);
    for (const team of page.rows) ids.push(team.id);
    cursor = page.nextPageToken ?? '';
  } while (cursor);
  return ids.sort();
}

/** The workspace as this sync's auth.teams.list pages give it. */
export async function workspaceTeam(ctx: SlackContext, workspaceId: string): Promise<SlackTeam> {
  let cursor = '';
  do {
    const page = await teamsPage(ctx, cursor);
    const team = page.rows.find((t) => t.id === workspaceId);
    if (team) return team;
    cursor = page.nextPageToken ?? '';
  } while (cursor);
  throw new Error(`slack: workspace ${workspaceId} not found in auth.teams.list`);
}

export async function workspaceName(ctx: SlackContext, workspaceId: string): Promise<string> {
  return (await workspaceTeam(ctx, workspaceId)).name;
}
