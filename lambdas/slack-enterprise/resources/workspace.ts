// Workspaces (auth.teams.list) and their grants: membership plus the flag-derived workspace roles,
// from one pass over the workspace's users.list at its maximum page. Org roles are not re-emitted
// here per workspace: the enterprise roles carry them, once.
import type { Entitlement, Grant, Resource, ResourceId } from '../../../shared/c1z/messages.ts';
import { ConnectorError, type Page, type ProvisionOutcome, type ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant, groupTrait, memberEntitlement, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import { CONNECTOR, type Member } from '../client.ts';
import type { GridContext } from '../context.ts';
import { ASSIGNED, MEMBER, type RoleKey, userGroupType, userType, workspaceRoleType, workspaceType } from './types.ts';
import { removeFromWorkspace, roleResource, slackCode } from './workspace-role.ts';

export function workspaceResource(team: { id: string; name: string; domain: string }): Resource {
  return resource({
    type: workspaceType.id,
    id: team.id,
    displayName: team.name,
    annotations: [groupTrait()],
    childTypes: [userGroupType.id, workspaceRoleType.id],
    profile: profile({ workspace_id: team.id, workspace_name: team.name, workspace_domain: team.domain }),
  });
}

/** The Go connector's independent flag rules; strangers are filtered out before. */
export function rolesFor(u: Member): RoleKey[] {
  const roles: RoleKey[] = [];
  if (u.is_primary_owner) roles.push('primary_owner');
  if (u.is_owner) roles.push('owner');
  if (u.is_admin) roles.push('admin');
  if (u.is_restricted) roles.push(u.is_ultra_restricted ? 'single_channel_guest' : 'multi_channel_guest');
  if (u.is_invited_user) roles.push('invited_member');
  if (!u.is_restricted && !u.is_ultra_restricted && !u.is_invited_user && !u.is_bot && !u.deleted) roles.push('member');
  if (u.is_bot) roles.push('bot');
  return roles;
}

function onlyUsers(principal: ResourceId | undefined, verb: string): void {
  if (principal?.resourceType !== userType.id) throw new ConnectorError(CONNECTOR, 'invalid_argument', `only users can be ${verb} a workspace`);
}

export function workspaceSyncer(ctx: GridContext): ResourceSyncer {
  return {
    resourceType: workspaceType,
    // Members and roles come from the workspace's own users.list pages (a bucket per workspace):
    // nothing from the org-wide user listing, so they run beside it.
    accessWhileListing: true,

    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      const page = await ctx.client.teamsPage(pageToken ?? '');
      for (const team of page.rows) ctx.state.putWorkspaceName(team.id, team.name);
      return { rows: page.rows.map(workspaceResource), nextPageToken: page.nextPageToken };
    },

    async entitlements(res) {
      const name = res.displayName;
      return {
        rows: [memberEntitlement(res, { displayName: `${name} workspace member`, description: `Member of the ${name} workspace`, grantableTo: [userType] })],
      };
    },

    async grants(res, pageToken): Promise<Page<Grant>> {
      const teamId = res.id?.resource ?? '';
      const page = await ctx.client.membersPage(teamId, pageToken ?? '');
      const roles = new Map<RoleKey, Resource>();
      const role = (key: RoleKey) => roles.get(key) ?? roles.set(key, roleResource(teamId, key)).get(key)!;
      const rows: Grant[] = [];
      for (const u of page.rows) {
        if (u.is_stranger) continue;
        const principal = resourceId(userType.id, u.id);
        for (const key of rolesFor(u)) rows.push(grant(role(key), ASSIGNED, principal));
        rows.push(grant(res, MEMBER, principal));
      }
      return { rows, nextPageToken: page.nextPageToken };
    },

    async grant(principal: Resource, ent: Entitlement): Promise<ProvisionOutcome> {
      onlyUsers(principal.id, 'added to');
      try {
        await ctx.client.adminUserCall('admin.users.assign', ent.resource?.id?.resource ?? '', principal.id?.resource ?? '');
        return 'changed';
      } catch (err) {
        if (slackCode(err) === 'user_already_team_member') return 'unchanged';
        throw err;
      }
    },

    async revoke(g: Grant): Promise<ProvisionOutcome> {
      onlyUsers(g.principal?.id, 'removed from');
      return removeFromWorkspace(ctx, g.entitlement?.resource?.id?.resource ?? '', g.principal?.id?.resource ?? '');
    },
  };
}
