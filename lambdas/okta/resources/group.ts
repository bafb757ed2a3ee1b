// Groups (with member and app counts from expand=stats) and their grants: members, then the
// roles the group holds. Members are not read when Okta counts none; roles are read for every
// group, since an empty group can hold a role too.
import type { JsonObject } from '@bufbuild/protobuf';
import { EntitlementImmutableSchema, type Grant, GroupTraitSchema, RawIdSchema, type Resource, V1IdentifierSchema } from '../../../shared/c1z/messages.ts';
import type { Page, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant, memberEntitlement, pack, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import type { OktaGroup } from '../client.ts';
import type { OktaContext } from '../context.ts';
import { isAccessDenied, isNotFound } from '../errors.ts';
import { groupProvisioning } from '../provisioning.ts';
import { handBack, pageOf, shouldYield } from '../yield.ts';
import { assignedRoleResource, groupRoleGrant } from './role.ts';
import { CUSTOM, groupType, MEMBER, userType, v1 } from './types.ts';
import { includedByDomains } from './user.ts';

export const APP_GROUP = 'APP_GROUP';
const SOURCE_TYPES: Record<string, string> = { BUILT_IN: 'built_in', APP_GROUP: 'app_imported', OKTA_GROUP: 'native' };

export function groupResource(g: OktaGroup): Resource {
  const stats = g._embedded?.stats;
  const annotations = [
    pack(GroupTraitSchema, { groupSourceType: SOURCE_TYPES[g.type] ?? '', rawGroupSourceType: g.type }),
    pack(V1IdentifierSchema, { id: g.id }),
    pack(RawIdSchema, { id: g.id }),
  ];
  if (g.type === 'BUILT_IN') annotations.push(pack(EntitlementImmutableSchema, {}));
  return resource({
    type: groupType.id,
    id: g.id,
    displayName: g.profile.name,
    annotations,
    profile: profile({
      description: g.profile.description ?? '',
      name: g.profile.name,
      type: g.type,
      users_count: stats?.usersCount,
      apps_count: stats?.appsCount,
    }) as JsonObject,
  });
}

/** Okta's member count from the listing; undefined when the listing had no stats. */
export function usersCountOf(res: Resource): number | undefined {
  const n = res.profile?.users_count;
  return typeof n === 'number' ? n : undefined;
}

export function groupMemberGrant(group: Resource, userId: string): Grant {
  return grant(group, MEMBER, resourceId(userType.id, userId), {
    annotations: [pack(V1IdentifierSchema, { id: v1.grant(v1.membership(group.id?.resource ?? ''), userId) })],
  });
}

// Page tokens: `u:<after>` for members, `r:<after>` for roles; none = members from the start.
async function memberPage(ctx: OktaContext, res: Resource, after: string | undefined): Promise<Page<Grant>> {
  const groupId = res.id?.resource ?? '';
  const count = usersCountOf(res);
  if (count === 0) return rolePage(ctx, res, undefined);
  let page: Awaited<ReturnType<typeof ctx.client.groupUsers>>;
  try {
    page = await ctx.client.groupUsers(groupId, after);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    ctx.runtime.log('okta: group deleted during the sync; its grants are skipped', { groupId });
    return { rows: [] };
  }
  const rows = page.items.filter((u) => includedByDomains(u.profile, ctx.config.filterEmailDomains)).map((u) => groupMemberGrant(res, u.id));
  return { rows, nextPageToken: page.after ? `u:${page.after}` : 'r:' };
}

async function rolePage(ctx: OktaContext, res: Resource, after: string | undefined): Promise<Page<Grant>> {
  const groupId = res.id?.resource ?? '';
  let page: Awaited<ReturnType<typeof ctx.client.groupRoles>>;
  try {
    page = await ctx.client.groupRoles(groupId, after);
  } catch (err) {
    // baton-okta skips a group whose roles the token may not read (403 E0000006).
    if (isAccessDenied(err) || isNotFound(err)) return { rows: [] };
    throw err;
  }
  const count = usersCountOf(res);
  const expand = count === undefined || count > 0;
  const rows: Grant[] = [];
  for (const a of page.items) {
    if (a.status === 'INACTIVE' || a.assignmentType !== 'GROUP') continue;
    if (a.type === CUSTOM && !ctx.config.syncCustomRoles) continue;
    rows.push(groupRoleGrant(assignedRoleResource(a), groupId, expand));
  }
  return { rows, nextPageToken: page.after ? `r:${page.after}` : undefined };
}

/**
 * Groups reach the engine 200 at a time (one Okta page holds up to 10,000), each chunk with a share
 * of the apps, so the access phase (which follows listing order) alternates between group grants
 * (groups bucket) and app grants (apps bucket) and both buckets work at once: 8 apps per 200 groups
 * is the 25:1 of a typical large org (5,000 groups, 200 apps). What is left comes with the last chunk.
 */
export const GROUPS_PER_CHUNK = 200;
export const APPS_PER_GROUP_CHUNK = 8;

/** Group list tokens: `<after>|<offset into that page>#<apps listed so far>`. */
function parseListToken(token: string | undefined): { after: string | undefined; offset: number; appsDone: number } {
  if (!token) return { after: undefined, offset: 0, appsDone: 0 };
  const hash = token.lastIndexOf('#');
  const bar = token.lastIndexOf('|', hash);
  return { after: token.slice(0, bar) || undefined, offset: Number(token.slice(bar + 1, hash)) || 0, appsDone: Number(token.slice(hash + 1)) || 0 };
}

export function groupSyncer(ctx: OktaContext, apps: () => Promise<Resource[]>): ResourceSyncer {
  // The Okta page being handed out in chunks; a resumed process reads it again (one call).
  let held: { after: string | undefined; page: Awaited<ReturnType<typeof ctx.client.groups>> } | undefined;
  return {
    resourceType: groupType,
    // Members and roles are calls of its own, on the groups bucket: they run beside the user listing.
    accessWhileListing: true,
    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      const { after, offset, appsDone } = parseListToken(pageToken);
      if (!held || held.after !== after) held = { after, page: await ctx.client.groups(after) };
      const page = held.page;
      const end = offset + GROUPS_PER_CHUNK;
      const rows = page.items
        .slice(offset, end)
        .filter((g) => !(ctx.config.skipAppGroups && g.type === APP_GROUP))
        .map(groupResource);
      const next = end < page.items.length ? `${after ?? ''}|${end}` : page.after ? `${page.after}|0` : undefined;
      const all = await apps();
      const appsNow = next ? all.slice(appsDone, appsDone + APPS_PER_GROUP_CHUNK) : all.slice(appsDone);
      rows.push(...appsNow);
      if (!next) held = undefined;
      return { rows, nextPageToken: next ? `${next}#${appsDone + appsNow.length}` : undefined };
    },
    async entitlements(res) {
      const name = res.displayName;
      const ent = memberEntitlement(res, { displayName: `${name} Group Member`, description: `Member of ${name} group in Okta`, grantableTo: [userType] });
      ent.annotations.push(pack(V1IdentifierSchema, { id: v1.membership(res.id?.resource ?? '') }));
      return { rows: [ent] };
    },
    async grants(res, token) {
      if (await shouldYield(ctx.client, 'groups')) return { rows: [], nextPageToken: handBack(token, 'u:') };
      const pageToken = pageOf(token);
      if (pageToken?.startsWith('r:')) return rolePage(ctx, res, pageToken.slice(2) || undefined);
      return memberPage(ctx, res, pageToken?.startsWith('u:') ? pageToken.slice(2) || undefined : undefined);
    },
    ...groupProvisioning(ctx),
  };
}
