// Users of every workspace, each written once. Standard mode: users.list pages. Business+ mode:
// the SCIM user set (org-wide) joined with users.list pages instead of one users.info per SCIM
// user; only SCIM users no workspace's users.list returned are looked up one by one.
import type { Resource, ResourceId } from '../../../shared/c1z/messages.ts';
import { SlackApiError } from '../../../shared/slack/errors.ts';
import type { Page, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { AccountType, profile, ResourceStatus, resource, resourceId, userTrait } from '../../../shared/sync/model.ts';
import { SCIM_USERS_PAGE, type SlackUser } from '../client.ts';
import type { SlackContext } from '../context.ts';
import { fetchMembersForListing } from '../members.ts';
import { workspaceIds } from '../workspaces.ts';
import { userType, workspaceType } from './types.ts';

/** users.info calls per page of the leftover phase. */
const LEFTOVER_BATCH = 100;

/**
 * The Go connector shows `name`, which is empty for some app and invited users; an empty display
 * name is useless in a review, so fall back to the real name, the email, then the id.
 */
export function userDisplayName(u: SlackUser): string {
  return u.name || u.real_name || u.profile.real_name || u.profile.email || u.id;
}

export function userResource(u: SlackUser, parent: ResourceId, status: ResourceStatus): Resource {
  const p = u.profile;
  const email = p.email ?? '';
  return resource({
    type: userType.id,
    id: u.id,
    displayName: userDisplayName(u),
    parent,
    annotations: [
      userTrait({
        emails: email ? [{ address: email, primary: true }] : [],
        accountType: u.is_bot ? AccountType.SERVICE : AccountType.HUMAN,
        // has_2fa false may only mean "not visible to this token": set MFA only when known true.
        mfaEnabled: u.has_2fa === true ? true : undefined,
      }),
    ],
    status,
    profile: profile({
      first_name: p.first_name ?? '',
      last_name: p.last_name ?? '',
      login: email,
      workspace: p.team ?? '',
      user_id: u.id,
      status_text: p.status_text ?? '',
      status_emoji: p.status_emoji ?? '',
      is_admin: u.is_admin,
      is_owner: u.is_owner,
      is_primary_owner: u.is_primary_owner,
      is_bot: u.is_bot,
      is_app_user: u.is_app_user,
      is_invited_user: u.is_invited_user,
      is_restricted: u.is_restricted,
      is_ultra_restricted: u.is_ultra_restricted,
      is_stranger: u.is_stranger,
      is_deleted: u.deleted,
    }),
  });
}

function scimActive(ctx: SlackContext): Promise<Map<string, boolean>> {
  const loading = (ctx.state.scimActive ??= loadScimActive(ctx));
  // A failed load must not stick: the engine retries the page with a fresh attempt.
  loading.catch(() => {
    if (ctx.state.scimActive === loading) ctx.state.scimActive = undefined;
  });
  return loading;
}

/** SCIM Users pages, each read once per sync: a page an earlier slice read comes from the connector state. */
async function loadScimActive(ctx: SlackContext): Promise<Map<string, boolean>> {
  const active = new Map<string, boolean>();
  for (let start = 1; ; start += SCIM_USERS_PAGE) {
    let page = ctx.state.storedScimPage(start);
    if (!page) {
      const fetched = await ctx.client.scimUsersPage(start);
      page = { ids: fetched.Resources.map((u) => u.id), inactive: fetched.Resources.filter((u) => !u.active).map((u) => u.id), total: fetched.totalResults };
      ctx.state.putScimPage(start, page);
    }
    const inactive = new Set(page.inactive);
    for (const id of page.ids) active.set(id, !inactive.has(id));
    if (page.ids.length === 0 || start + SCIM_USERS_PAGE - 1 >= page.total) break;
  }
  return active;
}

/**
 * Whether this sync already wrote the user. A process that listed from the first page knows it
 * from memory; a resumed one (a new slice) asks the sync database about what earlier slices wrote.
 */
function written(ctx: SlackContext, userId: string): boolean {
  return ctx.state.listed.has(userId) || (!ctx.state.listedFromStart && ctx.runtime.hasResource(userType.id, userId));
}

/**
 * Users come from one chain of pages over every workspace in id order, `u:<workspace>:<cursor>`,
 * so a user several workspaces list is written once, under the first of them (README.md, user
 * parents). Business+ keeps only SCIM users and ends with `x:` pages of users.info for the SCIM
 * users no workspace listed.
 */
async function listUsers(ctx: SlackContext, token: string | undefined): Promise<Page<Resource>> {
  const teams = await workspaceIds(ctx);
  if (teams.length === 0) return { rows: [] };
  if (!token) {
    ctx.state.listed.clear();
    ctx.state.listedFromStart = true;
    token = `u:${teams[0]}:`;
  }
  const scimLoading = ctx.client.hasScim ? scimActive(ctx) : undefined;
  if (token.startsWith('x:') && scimLoading) return listLeftovers(ctx, token, await scimLoading, teams);

  const sep = token.indexOf(':', 2);
  const teamId = token.slice(2, sep < 0 ? undefined : sep);
  const cursor = sep < 0 ? '' : token.slice(sep + 1);
  const parent = resourceId(workspaceType.id, teamId);
  // The page is asked for while the SCIM map loads: the first page waits for the longer of the two, not both.
  const [page, scim] = await Promise.all([fetchMembersForListing(ctx, teamId, cursor), scimLoading]);
  const rows: Resource[] = [];
  for (const u of page.rows) {
    if (scim && !scim.has(u.id)) continue;
    if (written(ctx, u.id)) continue;
    ctx.state.listed.add(u.id);
    rows.push(userResource(u, parent, scim ? scimStatus(scim, u.id) : u.deleted ? ResourceStatus.DELETED : ResourceStatus.ENABLED));
  }
  if (page.nextPageToken) return { rows, nextPageToken: `u:${teamId}:${page.nextPageToken}` };
  // The next id in sorted order, not the next index: a workspace gone since an earlier slice cannot loop the chain.
  const nextTeam = teams.find((t) => t > teamId);
  if (nextTeam) return { rows, nextPageToken: `u:${nextTeam}:` };
  return scim ? { rows, nextPageToken: `x:${ctx.state.epoch}:0` } : { rows };
}

function scimStatus(scim: Map<string, boolean>, id: string): ResourceStatus {
  return scim.get(id) === false ? ResourceStatus.DISABLED : ResourceStatus.ENABLED;
}

/**
 * `x:<epoch>:<offset>`: an offset into this process's leftover list; a token from an earlier
 * process (a resumed slice) starts over on a list that already leaves out what was written.
 */
async function listLeftovers(ctx: SlackContext, token: string, scim: Map<string, boolean>, teams: string[]): Promise<Page<Resource>> {
  const [, epoch, at] = token.split(':');
  let offset = Number(at) || 0;
  if (epoch !== ctx.state.epoch || !ctx.state.leftovers) {
    const hidden = ctx.state.hiddenUsers();
    ctx.state.leftovers = [...scim.keys()].filter((id) => !written(ctx, id) && !hidden.has(id));
    offset = 0;
  }
  const rest = ctx.state.leftovers;
  const rows: Resource[] = [];
  for (const id of rest.slice(offset, offset + LEFTOVER_BATCH)) {
    try {
      const u = await ctx.client.userInfo(id);
      // Under its home workspace when the sync has it, else the first (as the Go connector puts every SCIM user).
      const home = [u.team_id, u.profile.team].find((t) => t !== undefined && teams.includes(t)) ?? teams[0]!;
      rows.push(userResource(u, resourceId(workspaceType.id, home), scimStatus(scim, id)));
    } catch (err) {
      // The Go connector fails the page here; one user the bot cannot see should not fail the run.
      if (!(err instanceof SlackApiError && err.code === 'user_not_found')) throw err;
      ctx.state.markHidden(id);
      ctx.runtime.log('slack: SCIM user not visible to the bot token, skipped', { userId: id });
    }
  }
  const next = offset + LEFTOVER_BATCH;
  if (next < rest.length) return { rows, nextPageToken: `x:${ctx.state.epoch}:${next}` };
  ctx.state.leftovers = undefined;
  return { rows };
}

export function userSyncer(ctx: SlackContext): ResourceSyncer {
  return {
    resourceType: userType,
    async list(parent, pageToken) {
      // Workspaces announce users as their child type (as in Go), but one chain lists every workspace's users.
      if (parent) return { rows: [] };
      return listUsers(ctx, pageToken);
    },
    async entitlements() {
      return { rows: [] };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
