// users.list pages of a workspace, fetched once per sync: listing users stores each page's ids and
// role flags in the connector state, and the workspace grants take them back by the same cursor, so
// the member list is read once instead of twice, across slices too. A page not stored is fetched.
import type { Page } from '../../shared/sync/connector.ts';
import type { SlackUser } from './client.ts';
import type { SlackContext } from './context.ts';
import { flagsOf, type MemberPage } from './state.ts';

export async function fetchMembersForListing(ctx: SlackContext, teamId: string, cursor: string): Promise<Page<SlackUser>> {
  const page = await ctx.client.usersPage(teamId, cursor);
  ctx.state.putMemberPage(teamId, cursor, compact(page.rows, page.nextPageToken ?? ''));
  return page;
}

export async function membersForGrants(ctx: SlackContext, teamId: string, cursor: string): Promise<MemberPage> {
  const cached = ctx.state.takeMemberPage(teamId, cursor);
  if (cached) return cached;
  const page = await ctx.client.usersPage(teamId, cursor);
  return compact(page.rows, page.nextPageToken ?? '');
}

function compact(users: SlackUser[], next: string): MemberPage {
  return { ids: users.map((u) => u.id), flags: users.map(flagsOf), next };
}
