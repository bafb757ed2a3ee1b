// "@handle" user groups of each workspace. usergroups.list is asked for members too, so a group's
// grants normally cost no call. Provisioning writes the whole list (usergroups.users.update has no
// add/remove), so it reads the list right before the write and checks it right after: a change
// made by someone else in between is reported, not silently overwritten.
import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import { userGroupListing } from '../../../shared/slack/user-groups.ts';
import { ConnectorError, type ProvisionOutcome, type ResourceSyncer } from '../../../shared/sync/connector.ts';
import { CONNECTOR } from '../client.ts';
import type { GridContext } from '../context.ts';
import { userType } from './types.ts';

const key = (groupId: string) => `ug:${groupId}`;

export function userGroupSyncer(ctx: GridContext): ResourceSyncer {
  const teamOf = (res: Resource | undefined) => res?.parentResourceId?.resource ?? '';

  async function verifyAfter(teamId: string, groupId: string, expected: Set<string>, verb: string): Promise<void> {
    const after = new Set(await ctx.client.userGroupMembers(teamId, groupId));
    const missing = [...expected].filter((id) => !after.has(id));
    const extra = [...after].filter((id) => !expected.has(id));
    if (missing.length > 0 || extra.length > 0)
      throw new ConnectorError(
        CONNECTOR,
        'aborted',
        `user group ${groupId} changed while it was ${verb} (usergroups.users.update replaces the whole list): now missing [${missing.join(',')}], unexpected [${extra.join(',')}]; check the group in Slack and retry`,
      );
  }

  function onlyUsers(principalType: string | undefined, verb: string): void {
    if (principalType !== userType.id) throw new ConnectorError(CONNECTOR, 'invalid_argument', `only users can be ${verb} user group membership`);
  }

  return {
    ...userGroupListing({
      connector: 'slack-enterprise',
      userGroups: (workspaceId) => ctx.client.userGroups(workspaceId),
      members: (res, groupId) => ctx.client.userGroupMembers(teamOf(res), groupId),
      remember: (groupId, users) => ctx.state.putMembers(key(groupId), users),
      recall: (groupId) => ctx.state.members(key(groupId)),
      forget: (groupId) => ctx.state.dropMembers(key(groupId)),
      log: (message, fields) => ctx.runtime.log(message, fields),
    }),

    async grant(principal: Resource, ent: Entitlement): Promise<ProvisionOutcome> {
      onlyUsers(principal.id?.resourceType, 'granted');
      const teamId = teamOf(ent.resource);
      const groupId = ent.resource?.id?.resource ?? '';
      const userId = principal.id?.resource ?? '';
      const before = await ctx.client.userGroupMembers(teamId, groupId);
      if (before.includes(userId)) return 'unchanged';
      const wanted = [...before, userId];
      await ctx.client.setUserGroupMembers(teamId, groupId, wanted);
      await verifyAfter(teamId, groupId, new Set(wanted), `granted to ${userId}`);
      return 'changed';
    },

    async revoke(g: Grant): Promise<ProvisionOutcome> {
      onlyUsers(g.principal?.id?.resourceType, 'revoked');
      const teamId = teamOf(g.entitlement?.resource);
      const groupId = g.entitlement?.resource?.id?.resource ?? '';
      const userId = g.principal?.id?.resource ?? '';
      const before = await ctx.client.userGroupMembers(teamId, groupId);
      if (!before.includes(userId)) return 'unchanged';
      const wanted = before.filter((id) => id !== userId);
      if (wanted.length === 0)
        throw new ConnectorError(
          CONNECTOR,
          'failed_precondition',
          `${userId} is the last member of user group ${groupId}; Slack cannot empty a group (disable it instead)`,
        );
      await ctx.client.setUserGroupMembers(teamId, groupId, wanted);
      await verifyAfter(teamId, groupId, new Set(wanted), `revoked from ${userId}`);
      return 'changed';
    },
  };
}
