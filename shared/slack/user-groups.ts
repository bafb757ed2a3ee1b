// "@handle" user groups as both Slack connectors read them: the usergroups.list shape, and the
// listing half of the user-group syncer. usergroups.list is asked for members too, so a group's
// grants normally cost no call; otherwise its list is fetched once and paged locally.
import { z } from 'zod';
import type { Grant, Resource } from '../c1z/messages.ts';
import type { ResourceSyncer } from '../sync/connector.ts';
import { grant, groupTrait, memberEntitlement, profile, resource, resourceId } from '../sync/model.ts';
import { SlackApiError } from './errors.ts';
import { MEMBER, userGroupType, userType } from './resources.ts';

const userGroupSchema = z.object({
  id: z.string(),
  name: z.string().optional().default(''),
  handle: z.string().optional().default(''),
  users: z.array(z.string()).optional(),
  /** With include_count: the true member count, which an embedded `users` list may fall short of. */
  user_count: z.number().int().nonnegative().optional(),
});
export type SlackUserGroup = z.output<typeof userGroupSchema>;
/** usergroups.list */
export const userGroupsSchema = z.object({ ok: z.literal(true), usergroups: z.array(userGroupSchema) });
/** usergroups.users.list */
export const userGroupUsersSchema = z.object({ ok: z.literal(true), users: z.array(z.string()) });

/** Grants per page: bounds one page's memory for very large groups. */
export const GROUP_GRANTS_PAGE = 5000;

/** What the listing needs from its connector: the calls, where member lists wait, and the log. */
export interface UserGroupSource {
  /** The log prefix, e.g. `slack`. */
  connector: string;
  userGroups(workspaceId: string): Promise<SlackUserGroup[]>;
  /** usergroups.users.list for the group `res` (its parent is the workspace). */
  members(res: Resource, groupId: string): Promise<string[]>;
  remember(groupId: string, users: string[]): void;
  recall(groupId: string): string[] | undefined;
  forget(groupId: string): void;
  log(message: string, fields?: Record<string, unknown>): void;
  /** Called for a group whose embedded list Slack cut short (it is read with usergroups.users.list instead). */
  onCutList?(group: SlackUserGroup): void;
}

export function userGroupListing(src: UserGroupSource): ResourceSyncer {
  return {
    resourceType: userGroupType,
    // Members come with usergroups.list (or one call of their own): nothing from the user listing.
    accessWhileListing: true,

    async list(parent) {
      if (!parent) return { rows: [] };
      const groups = await src.userGroups(parent.resource);
      return {
        rows: groups.map((g) => {
          // An embedded list shorter than user_count was cut by Slack: trusting it would drop grants
          // silently, so such a group's members are read with usergroups.users.list instead.
          if (g.users && (g.user_count === undefined || g.users.length === g.user_count)) src.remember(g.id, g.users);
          else if (g.users) src.onCutList?.(g);
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
      let members = src.recall(groupId);
      if (!members) {
        try {
          members = await src.members(res, groupId);
        } catch (err) {
          // Deleted or disabled since it was listed: the SDK skips such a page with a warning.
          if (err instanceof SlackApiError && err.code === 'no_such_subteam') {
            src.log(`${src.connector}: user group vanished during the sync; its grants are skipped`, { userGroup: groupId });
            return { rows: [] };
          }
          throw err;
        }
        if (members.length > GROUP_GRANTS_PAGE) src.remember(groupId, members);
      }
      const offset = Number(pageToken ?? '0') || 0;
      const end = Math.min(members.length, offset + GROUP_GRANTS_PAGE);
      const rows: Grant[] = [];
      for (let i = offset; i < end; i++) rows.push(grant(res, MEMBER, resourceId(userType.id, members[i]!)));
      if (end < members.length) return { rows, nextPageToken: String(end) };
      src.forget(groupId);
      return { rows };
    },
  };
}
