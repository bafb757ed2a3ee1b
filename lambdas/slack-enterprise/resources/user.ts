// Users, org-wide and once: admin.users.list without a team_id (every user of the org, also those
// in no workspace), or the SCIM user list when the org uses SSO. No parent: a Grid user belongs to
// the org, and their workspaces are grants.
import type { Resource } from '../../../shared/c1z/messages.ts';
import type { ScimUser } from '../../../shared/slack/scim.ts';
import { nextStartIndex, SCIM_USERS_PAGE } from '../../../shared/slack/scim.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { AccountType, profile, ResourceStatus, resource, userTrait } from '../../../shared/sync/model.ts';
import type { AdminUser } from '../client.ts';
import type { GridContext } from '../context.ts';
import { userType } from './types.ts';

export function adminUserResource(u: AdminUser): Resource {
  return resource({
    type: userType.id,
    id: u.id,
    displayName: u.full_name || u.username || u.email || u.id,
    annotations: [
      userTrait({
        emails: u.email ? [{ address: u.email, primary: true }] : [],
        login: u.username || undefined,
        accountType: u.is_bot ? AccountType.SERVICE : AccountType.HUMAN,
        // has_2fa false may only mean "not visible to this token": set MFA only when known true.
        mfaEnabled: u.has_2fa === true ? true : undefined,
      }),
    ],
    status: u.is_active ? ResourceStatus.ENABLED : ResourceStatus.DISABLED,
    profile: profile({
      user_id: u.id,
      user_name: u.username,
      display_name: u.full_name,
      login: u.email,
      is_admin: u.is_admin,
      is_owner: u.is_owner,
      is_primary_owner: u.is_primary_owner,
      is_restricted: u.is_restricted,
      is_ultra_restricted: u.is_ultra_restricted,
      is_bot: u.is_bot,
      workspaces: u.workspaces.join(','),
    }),
  });
}

/** The Go connector's SCIM user: display name, falling back to the user name; login the user name. */
export function scimUserResource(u: ScimUser): Resource {
  const primary = u.emails.find((e) => e.primary)?.value ?? '';
  return resource({
    type: userType.id,
    id: u.id,
    displayName: u.displayName || u.userName || u.id,
    annotations: [
      userTrait({
        emails: u.emails.map((e) => ({ address: e.value, primary: e.primary })),
        login: u.userName || undefined,
      }),
    ],
    status: u.active ? ResourceStatus.ENABLED : ResourceStatus.DISABLED,
    profile: profile({
      first_name: u.name.givenName ?? '',
      last_name: u.name.familyName ?? '',
      display_name: u.displayName,
      login: primary,
      user_id: u.id,
      user_name: u.userName,
    }),
  });
}

export function userSyncer(ctx: GridContext): ResourceSyncer {
  return {
    resourceType: userType,
    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      if (ctx.config.sso) {
        const start = Number(pageToken ?? '1') || 1;
        const page = await ctx.client.scim.usersPage(start, SCIM_USERS_PAGE);
        const next = nextStartIndex(start, SCIM_USERS_PAGE, page);
        return { rows: page.Resources.map(scimUserResource), nextPageToken: next === undefined ? undefined : String(next) };
      }
      // Active users first, then deactivated ones (admin.users.list returns one kind per listing).
      const active = !pageToken?.startsWith('d:');
      const cursor = pageToken ? pageToken.slice(2) : '';
      const page = await ctx.client.orgUsersPage(cursor, { active });
      const rows = page.rows.map(adminUserResource);
      if (page.nextPageToken) return { rows, nextPageToken: `${active ? 'a' : 'd'}:${page.nextPageToken}` };
      return { rows, nextPageToken: active ? 'd:' : undefined };
    },
    async entitlements() {
      return { rows: [] };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
