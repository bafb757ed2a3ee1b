// Workspaces (auth.teams.list) and their grants: membership plus the flag-derived workspace roles,
// written with each users.list page the user listing reads (role rules: README.md, Workspace
// roles), so the grants need no pass of their own after the last page.
import type { Grant, Resource, ResourceId } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant, groupTrait, memberEntitlement, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import type { SlackUser } from '../client.ts';
import type { SlackContext } from '../context.ts';
import { FLAG, flagsOf } from '../state.ts';
import { teamsPage } from '../workspaces.ts';
import { ASSIGNED, MEMBER, type RoleKey, userGroupType, userType, workspaceRoleType, workspaceType } from './types.ts';
import { roleResource } from './workspace-role.ts';

export function workspaceResource(team: { id: string; name: string; domain: string }): Resource {
  return resource({
    type: workspaceType.id,
    id: team.id,
    displayName: team.name,
    annotations: [groupTrait()],
    childTypes: [userType.id, userGroupType.id, workspaceRoleType.id],
    profile: profile({ workspace_id: team.id, workspace_name: team.name, workspace_domain: team.domain }),
  });
}

/** The Go connector's independent flag rules (README.md); strangers are filtered out before. */
export function rolesFor(flags: number): RoleKey[] {
  const has = (bit: number) => (flags & bit) !== 0;
  const roles: RoleKey[] = [];
  if (has(FLAG.is_primary_owner)) roles.push('primary_owner');
  if (has(FLAG.is_owner)) roles.push('owner');
  if (has(FLAG.is_admin)) roles.push('admin');
  if (has(FLAG.is_restricted)) roles.push(has(FLAG.is_ultra_restricted) ? 'single_channel_guest' : 'multi_channel_guest');
  if (has(FLAG.is_invited_user)) roles.push('invited_member');
  if (!has(FLAG.is_restricted | FLAG.is_ultra_restricted | FLAG.is_invited_user | FLAG.is_bot | FLAG.deleted)) roles.push('member');
  if (has(FLAG.is_bot)) roles.push('bot');
  return roles;
}

export function workspaceSyncer(ctx: SlackContext): ResourceSyncer {
  return {
    resourceType: workspaceType,

    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      const page = await teamsPage(ctx, pageToken ?? '');
      return { rows: page.rows.map(workspaceResource), nextPageToken: page.nextPageToken };
    },

    async entitlements(res) {
      const name = res.displayName;
      return {
        rows: [
          memberEntitlement(res, {
            displayName: `${name} workspace member`,
            description: `Member of the ${name} workspace`,
            grantableTo: [userType],
          }),
        ],
      };
    },

    // Written with the users.list pages (workspaceGrants).
    async grants() {
      return { rows: [] };
    },
  };
}

/** Membership and role grants of one users.list page of `workspace`; strangers hold none. */
export function workspaceGrants(workspace: Resource, members: readonly SlackUser[]): Grant[] {
  const teamId = workspace.id?.resource ?? '';
  const roles = new Map<RoleKey, Resource>();
  const role = (key: RoleKey) => roles.get(key) ?? roles.set(key, roleResource(teamId, key)).get(key)!;
  const rows: Grant[] = [];
  for (const u of members) {
    const flags = flagsOf(u);
    if (flags & FLAG.is_stranger) continue;
    const principal: ResourceId = resourceId(userType.id, u.id);
    for (const key of rolesFor(flags)) rows.push(grant(role(key), ASSIGNED, principal));
    rows.push(grant(workspace, MEMBER, principal));
  }
  return rows;
}
