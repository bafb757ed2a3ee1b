// "@handle" user groups of each workspace. usergroups.list is asked for members too, so a group's
// grants normally cost no call. Provisioning writes the whole list (usergroups.users.update has no
// add/remove), so it reads the list right before the write and checks it right after: a change
// made by someone else in between is reported, not silently overwritten.
import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import { SlackApiError } from '../../../shared/slack/errors.ts';
import { ConnectorError, type ProvisionOutcome, type ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant, groupTrait, memberEntitlement, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import { CONNECTOR } from '../client.ts';
import type { GridContext } from '../context.ts';
import { MEMBER, userGroupType, userType } from './types.ts';

/** Grants per page: bounds one page's memory for very large groups. */
export const GROUP_GRANTS_PAGE = 5000;

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
    resourceType: userGroupType,

    async list(parent) {
      if (!parent) return { rows: [] };
      const groups = await ctx.client.userGroups(parent.resource);
      return {
        rows: groups.map((g) => {
          // An embedded list shorter than user_count was cut by Slack: such a group is read with usergroups.users.list.
          if (g.users && (g.user_count === undefined || g.users.length === g.user_count)) ctx.state.put(key(g.id), g.users);
          return resource({
            type: userGroupType.id,
            id: g.id,
            displayName: g.name,
            parent,
            annotations: [groupTrait()],
            profile: profile({ userGroup_id: g.id, userGroup_name: g.name, userGroup_handle: g.handle }),
          });
        }),
      };
    },

    async entitlements(res) {
      const name = res.displayName;
      return {
        rows: [memberEntitlement(res, { displayName: `${name} User group member`, description: `Member of ${name} User group`, grantableTo: [userType] })],
      };
    },

    async grants(res, pageToken) {
      const groupId = res.id?.resource ?? '';
      let members = ctx.state.get(key(groupId));
      if (!members) {
        try {
          members = await ctx.client.userGroupMembers(teamOf(res), groupId);
        } catch (err) {
          if (err instanceof SlackApiError && err.code === 'no_such_subteam') {
            ctx.runtime.log('slack-enterprise: user group vanished during the sync; its grants are skipped', { userGroup: groupId });
            return { rows: [] };
          }
          throw err;
        }
        if (members.length > GROUP_GRANTS_PAGE) ctx.state.put(key(groupId), members);
      }
      const offset = Number(pageToken ?? '0') || 0;
      const end = Math.min(members.length, offset + GROUP_GRANTS_PAGE);
      const rows: Grant[] = [];
      for (let i = offset; i < end; i++) rows.push(grant(res, MEMBER, resourceId(userType.id, members[i]!)));
      if (end < members.length) return { rows, nextPageToken: String(end) };
      ctx.state.drop(key(groupId));
      return { rows };
    },

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
