// "@handle" user groups. A group's member list is kept in the connector state until the group's
// grants are written, and fetched once when needed (not once per 20 members as the Go connector does).

import { userGroupListing } from '../../../shared/slack/user-groups.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import type { SlackContext } from '../context.ts';

export function userGroupSyncer(ctx: SlackContext): ResourceSyncer {
  return userGroupListing({
    connector: 'slack',
    userGroups: (workspaceId) => ctx.client.userGroups(workspaceId),
    members: (_res, groupId) => ctx.client.userGroupMembers(groupId),
    remember: (groupId, users) => ctx.state.putGroupMembers(groupId, users),
    recall: (groupId) => ctx.state.groupMembersOf(groupId),
    forget: (groupId) => ctx.state.dropGroupMembers(groupId),
    log: (message, fields) => ctx.runtime.log(message, fields),
    onCutList: (g) =>
      ctx.runtime.log('slack: usergroups.list returned fewer members than user_count; reading the group with usergroups.users.list', {
        userGroup: g.id,
        embedded: g.users?.length,
        userCount: g.user_count,
      }),
  });
}
