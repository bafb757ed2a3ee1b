// "@handle" user groups. usergroups.list is asked for members too (kept in the connector state until
// the group's grants are written), so a group's grants normally cost no call; otherwise its list is
// fetched once (not once per 20 members as the Go connector does) and paged locally.
import type { Grant } from '../../../shared/c1z/messages.ts';
import { SlackApiError } from '../../../shared/slack/errors.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant, groupTrait, memberEntitlement, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import type { SlackContext } from '../context.ts';
import { MEMBER, userGroupType, userType } from './types.ts';

/** Grants per page: bounds one page's memory for very large groups. */
export const GROUP_GRANTS_PAGE = 5000;

export function userGroupSyncer(ctx: SlackContext): ResourceSyncer {
  return {
    resourceType: userGroupType,

    async list(parent) {
      if (!parent) return { rows: [] };
      const groups = await ctx.client.userGroups(parent.resource);
      return {
        rows: groups.map((g) => {
          // An embedded list shorter than user_count was cut by Slack: trusting it would drop grants
          // silently, so such a group's members are read with usergroups.users.list instead.
          if (g.users && (g.user_count === undefined || g.users.length === g.user_count)) ctx.state.putGroupMembers(g.id, g.users);
          else if (g.users)
            ctx.runtime.log('slack: usergroups.list returned fewer members than user_count; reading the group with usergroups.users.list', {
              userGroup: g.id,
              embedded: g.users.length,
              userCount: g.user_count,
            });
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
        rows: [
          memberEntitlement(res, {
            displayName: `${name} User group member`,
            description: `Member of ${name} User group`,
            grantableTo: [userType],
          }),
        ],
      };
    },

    async grants(res, pageToken) {
      const groupId = res.id?.resource ?? '';
      let members = ctx.state.groupMembersOf(groupId);
      if (!members) {
        try {
          members = await ctx.client.userGroupMembers(groupId);
        } catch (err) {
          // Deleted or disabled since it was listed: the SDK skips such a page with a warning.
          if (err instanceof SlackApiError && err.code === 'no_such_subteam') {
            ctx.runtime.log('slack: user group vanished during the sync; its grants are skipped', { userGroup: groupId });
            return { rows: [] };
          }
          throw err;
        }
        if (members.length > GROUP_GRANTS_PAGE) ctx.state.putGroupMembers(groupId, members);
      }
      const offset = Number(pageToken ?? '0') || 0;
      const end = Math.min(members.length, offset + GROUP_GRANTS_PAGE);
      const rows: Grant[] = [];
      for (let i = offset; i < end; i++) rows.push(grant(res, MEMBER, resourceId(userType.id, members[i]!)));
      if (end < members.length) return { rows, nextPageToken: String(end) };
      ctx.state.dropGroupMembers(groupId);
      return { rows };
    },
  };
}
