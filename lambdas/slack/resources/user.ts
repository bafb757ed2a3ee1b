// Users of a workspace. Standard mode: users.list pages. Business+ mode: the SCIM user
// set (org-wide) joined with users.list pages instead of one users.info per SCIM user; only SCIM
// users the workspace's users.list did not return are looked up one by one.
import type { Resource, ResourceId } from '../../../shared/c1z/messages.ts';
import type { Page, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { AccountType, profile, resource, ResourceStatus, userTrait } from '../../../shared/sync/model.ts';
import { SCIM_USERS_PAGE, type SlackUser } from '../client.ts';
import type { SlackContext } from '../context.ts';
import { SlackApiError } from '../../../shared/slack/errors.ts';
import { fetchMembersForListing } from '../members.ts';
import { userType } from './types.ts';

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

async function loadScimActive(ctx: SlackContext): Promise<Map<string, boolean>> {
  const active = new Map<string, boolean>();
  for (let start = 1; ; start += SCIM_USERS_PAGE) {
    const page = await ctx.client.scimUsersPage(start);
    for (const u of page.Resources) active.set(u.id, u.active);
    if (page.Resources.length === 0 || start + SCIM_USERS_PAGE - 1 >= page.totalResults) break;
  }
  return active;
}

/**
 * SCIM users the workspace's users.list did not return, in SCIM order. In the process that listed
 * the workspace that is what it saw; after a resume (a new slice) it is what the sync database does
 * not hold yet, instead of reading users.list again (for a big org that re-read alone can outlast
 * a slice, and would repeat in every slice).
 */
function leftovers(ctx: SlackContext, teamId: string, scim: Map<string, boolean>): string[] {
  let seen = ctx.state.seen.get(teamId);
  if (!seen?.complete) {
    const ids = new Set<string>();
    for (const id of scim.keys()) if (ctx.runtime.hasResource('user', id)) ids.add(id);
    seen = { ids, complete: true };
    ctx.state.seen.set(teamId, seen);
  }
  const out: string[] = [];
  for (const id of scim.keys()) if (!seen.ids.has(id)) out.push(id);
  return out;
}

export function userSyncer(ctx: SlackContext): ResourceSyncer {
  async function listStandard(parent: ResourceId, token: string | undefined): Promise<Page<Resource>> {
    const page = await fetchMembersForListing(ctx, parent.resource, token ?? '');
    return {
      rows: page.rows.map((u) => userResource(u, parent, u.deleted ? ResourceStatus.DELETED : ResourceStatus.ENABLED)),
      nextPageToken: page.nextPageToken,
    };
  }

  async function listBusiness(parent: ResourceId, token: string | undefined): Promise<Page<Resource>> {
    const teamId = parent.resource;
    const scim = await scimActive(ctx);
    const status = (id: string) => (scim.get(id) === false ? ResourceStatus.DISABLED : ResourceStatus.ENABLED);

    if (!token?.startsWith('x:')) {
      const cursor = token ? token.slice(2) : '';
      let seen = ctx.state.seen.get(teamId);
      if (!cursor || !seen) {
        seen = { ids: new Set(), complete: !cursor };
        ctx.state.seen.set(teamId, seen);
      }
      const page = await fetchMembersForListing(ctx, teamId, cursor);
      const rows: Resource[] = [];
      for (const u of page.rows) {
        if (!scim.has(u.id)) continue;
        seen.ids.add(u.id);
        rows.push(userResource(u, parent, status(u.id)));
      }
      return { rows, nextPageToken: page.nextPageToken ? `u:${page.nextPageToken}` : `x:${ctx.state.epoch}:0` };
    }

    // `x:<epoch>:<offset>`: an offset into this process's leftover list; a token from an earlier
    // process (a resumed slice) starts over on a list that already leaves out what was written.
    const [, epoch, at] = token.split(':');
    const offset = epoch === ctx.state.epoch ? Number(at) || 0 : 0;
    const rest = leftovers(ctx, teamId, scim);
    const rows: Resource[] = [];
    for (const id of rest.slice(offset, offset + LEFTOVER_BATCH)) {
      try {
        rows.push(userResource(await ctx.client.userInfo(id), parent, status(id)));
      } catch (err) {
        // The Go connector fails the page here; one user the bot cannot see should not fail the run.
        if (!(err instanceof SlackApiError && err.code === 'user_not_found')) throw err;
        ctx.runtime.log('slack: SCIM user not visible to the bot token, skipped', { userId: id, workspace: teamId });
      }
    }
    const next = offset + LEFTOVER_BATCH;
    if (next < rest.length) return { rows, nextPageToken: `x:${ctx.state.epoch}:${next}` };
    ctx.state.seen.delete(teamId);
    return { rows };
  }

  return {
    resourceType: userType,
    async list(parent, pageToken) {
      if (!parent) return { rows: [] };
      return ctx.client.hasScim ? listBusiness(parent, pageToken) : listStandard(parent, pageToken);
    },
    async entitlements() {
      return { rows: [] };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
