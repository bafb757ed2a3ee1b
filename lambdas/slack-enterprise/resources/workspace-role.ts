// The eight synthetic roles of each workspace. Their grants come from the workspace's member list;
// grant and revoke set owner, admin or regular through admin.users.set*, the only roles Slack's API sets.
import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import { SlackApiError } from '../../../shared/slack/errors.ts';
import { parseRoleId, workspaceRoleListing } from '../../../shared/slack/resources.ts';
import { ConnectorError, type ProvisionOutcome, type ResourceSyncer } from '../../../shared/sync/connector.ts';
import { CONNECTOR } from '../client.ts';
import type { GridContext } from '../context.ts';
import { userType } from './types.ts';

export { roleResource } from '../../../shared/slack/resources.ts';

/** The workspace's name, from this sync's workspace listing (kept in the connector state) or else from Slack. */
export async function workspaceName(ctx: GridContext, workspaceId: string): Promise<string> {
  const known = ctx.state.workspaceName(workspaceId);
  if (known !== undefined) return known;
  let cursor = '';
  do {
    const page = await ctx.client.teamsPage(cursor);
    for (const team of page.rows) ctx.state.putWorkspaceName(team.id, team.name);
    const team = page.rows.find((t) => t.id === workspaceId);
    if (team) return team.name;
    cursor = page.nextPageToken ?? '';
  } while (cursor);
  throw new ConnectorError(CONNECTOR, 'not_found', `workspace ${workspaceId} is not in auth.teams.list (is the app added to it?)`);
}

function onlyUsers(principalType: string | undefined, verb: string): void {
  if (principalType !== userType.id) throw new ConnectorError(CONNECTOR, 'invalid_argument', `only users can be ${verb} workspace role assignments`);
}

export function workspaceRoleSyncer(ctx: GridContext): ResourceSyncer {
  const unsettable = (role: string, verb: string) =>
    new ConnectorError(
      CONNECTOR,
      'unsupported',
      `workspace role "${role}" cannot be ${verb} through Slack's API (only owner, admin and member can be set with admin.users.setOwner/setAdmin/setRegular)`,
    );

  return {
    ...workspaceRoleListing((workspaceId) => workspaceName(ctx, workspaceId)),

    // Each write is preceded by a read of the workspace's owners and admins, so a repeat is
    // `unchanged` and a grant of "member" never demotes an admin (setRegular would).
    async grant(principal: Resource, ent: Entitlement): Promise<ProvisionOutcome> {
      onlyUsers(principal.id?.resourceType, 'granted');
      const { teamId, role } = parseRoleId(ent.resource?.id?.resource ?? '');
      const userId = principal.id?.resource ?? '';
      if (role !== 'owner' && role !== 'admin' && role !== 'member') throw unsettable(role, 'granted');
      const [owners, admins] = await Promise.all([ctx.client.workspaceOwners(teamId), ctx.client.workspaceAdmins(teamId)]);
      if (role === 'owner') {
        if (owners.has(userId)) return 'unchanged';
        await ctx.client.adminUserCall('admin.users.setOwner', teamId, userId);
      } else if (role === 'admin') {
        if (admins.has(userId) || owners.has(userId)) return 'unchanged';
        await ctx.client.adminUserCall('admin.users.setAdmin', teamId, userId);
      } else {
        // Owners and admins hold "member" too (the role rules): nothing to do, and setRegular would demote them.
        if (admins.has(userId) || owners.has(userId)) return 'unchanged';
        await ctx.client.adminUserCall('admin.users.setRegular', teamId, userId);
      }
      return 'changed';
    },

    async revoke(g: Grant): Promise<ProvisionOutcome> {
      onlyUsers(g.principal?.id?.resourceType, 'revoked');
      const { teamId, role } = parseRoleId(g.entitlement?.resource?.id?.resource ?? '');
      const userId = g.principal?.id?.resource ?? '';
      if (role === 'member') {
        // Go's mapping: revoking "member" removes the user from the workspace.
        return removeFromWorkspace(ctx, teamId, userId);
      }
      if (role !== 'owner' && role !== 'admin') throw unsettable(role, 'revoked');
      const [owners, admins] = await Promise.all([ctx.client.workspaceOwners(teamId), ctx.client.workspaceAdmins(teamId)]);
      if (role === 'owner') {
        if (!owners.has(userId)) return 'unchanged';
      } else {
        if (owners.has(userId))
          throw new ConnectorError(CONNECTOR, 'failed_precondition', `${userId} is an owner of ${teamId}; revoke the owner role (owners are admins too)`);
        if (!admins.has(userId)) return 'unchanged';
      }
      await ctx.client.adminUserCall('admin.users.setRegular', teamId, userId);
      return 'changed';
    },
  };
}

/** admin.users.remove; a user already gone from the workspace is `unchanged`. */
export async function removeFromWorkspace(ctx: GridContext, teamId: string, userId: string): Promise<ProvisionOutcome> {
  try {
    await ctx.client.adminUserCall('admin.users.remove', teamId, userId);
    return 'changed';
  } catch (err) {
    if (slackCode(err) === 'user_already_deleted' || slackCode(err) === 'user_not_in_team') return 'unchanged';
    throw err;
  }
}

/** The `error` of an `ok:false` answer the caller may handle (already a member, already removed). */
export function slackCode(err: unknown): string | undefined {
  return err instanceof SlackApiError ? err.code : undefined;
}
