// The Slack calls the connector makes: Web API methods with the bot token and SCIM with
// the Business+ user token, each with its published rate limit and a zod schema of what we read.
import { z } from 'zod';
import type { HttpClient, RateLimit } from '../../shared/http/types.ts';
import { CONNECTOR, inspectScim, inspectWebApi } from '../../shared/slack/errors.ts';
import { ScimClient, type ScimGroup } from '../../shared/slack/scim.ts';
import { tierLimit as limit, SCIM_RATE_LIMITS, TIER_2, TIER_4 } from '../../shared/slack/tiers.ts';
import { type SlackUserGroup, userGroupsSchema, userGroupUsersSchema } from '../../shared/slack/user-groups.ts';
import { nextCursor } from '../../shared/slack/web-api.ts';
import type { ConnectorRuntime, Page } from '../../shared/sync/connector.ts';
import { type SlackConfig, slackHosts } from './config.ts';

export const RATE_LIMITS = {
  'auth.test': limit('auth.test', TIER_4),
  'users.info': limit('users.info', TIER_4),
  'auth.teams.list': limit('auth.teams.list', TIER_2),
  'users.list': limit('users.list', TIER_2),
  'usergroups.list': limit('usergroups.list', TIER_2),
  'usergroups.users.list': limit('usergroups.users.list', TIER_2),
  ...SCIM_RATE_LIMITS,
} satisfies Record<string, RateLimit>;

/** users.list's documented maximum (the Go connector asks for 200): 5× fewer Tier 2 calls. */
export const USERS_PAGE = 1000;
export type { ScimGroup } from '../../shared/slack/scim.ts';
export { SCIM_GROUPS_PAGE, SCIM_USERS_PAGE } from '../../shared/slack/scim.ts';

const bool = z.boolean().optional().default(false);

export const slackUserSchema = z.object({
  id: z.string(),
  /** The user's home workspace (users.list of another workspace of the org may return the user too). */
  team_id: z.string().optional(),
  name: z.string().optional().default(''),
  real_name: z.string().optional(),
  deleted: bool,
  profile: z
    .object({
      real_name: z.string().optional(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
      email: z.string().optional(),
      team: z.string().optional(),
      status_text: z.string().optional(),
      status_emoji: z.string().optional(),
    })
    .optional()
    .default({}),
  is_admin: bool,
  is_owner: bool,
  is_primary_owner: bool,
  is_bot: bool,
  is_app_user: bool,
  is_invited_user: bool,
  is_restricted: bool,
  is_ultra_restricted: bool,
  is_stranger: bool,
  has_2fa: z.boolean().optional(),
});
export type SlackUser = z.output<typeof slackUserSchema>;

const teamSchema = z.object({ id: z.string(), name: z.string().optional().default(''), domain: z.string().optional().default('') });
export type SlackTeam = z.output<typeof teamSchema>;

const authTestSchema = z.object({ ok: z.literal(true), user_id: z.string(), bot_id: z.string().optional(), team_id: z.string().optional() });
const userInfoSchema = z.object({ ok: z.literal(true), user: slackUserSchema });
const teamsSchema = z.object({
  ok: z.literal(true),
  teams: z.array(teamSchema),
  response_metadata: nextCursor,
});
const usersListSchema = z.object({ ok: z.literal(true), members: z.array(slackUserSchema), response_metadata: nextCursor });

export class SlackClient {
  private readonly web: HttpClient;
  private readonly scim: ScimClient | undefined;

  constructor(config: SlackConfig, runtime: ConnectorRuntime) {
    const hosts = slackHosts(config);
    this.web = runtime.http({
      name: CONNECTOR,
      baseUrl: hosts.webApi,
      headers: { Authorization: `Bearer ${config.botToken}` },
      inspect: inspectWebApi('BATON_TOKEN'),
      secrets: [config.botToken],
    });
    this.scim = config.businessPlusToken
      ? new ScimClient(
          runtime.http({
            name: `${CONNECTOR}-scim`,
            baseUrl: hosts.scim,
            headers: { Authorization: `Bearer ${config.businessPlusToken}` },
            inspect: inspectScim('BATON_BUSINESS_PLUS_TOKEN'),
            secrets: [config.businessPlusToken],
          }),
        )
      : undefined;
  }

  get hasScim(): boolean {
    return this.scim !== undefined;
  }

  private call<T>(method: keyof typeof RATE_LIMITS & string, form: Record<string, string | undefined>, schema: z.ZodType<T>): Promise<T> {
    return this.web.request({ method: 'POST', path: method, form, schema, rateLimit: RATE_LIMITS[method], route: method });
  }

  authTest() {
    return this.call('auth.test', {}, authTestSchema);
  }

  async userInfo(userId: string): Promise<SlackUser> {
    return (await this.call('users.info', { user: userId, include_locale: 'true' }, userInfoSchema)).user;
  }

  async teamsPage(cursor: string): Promise<Page<SlackTeam>> {
    const r = await this.call('auth.teams.list', { cursor: cursor || undefined }, teamsSchema);
    return { rows: r.teams, nextPageToken: r.response_metadata || undefined };
  }

  async usersPage(teamId: string, cursor: string): Promise<Page<SlackUser>> {
    const r = await this.call(
      'users.list',
      { team_id: teamId, limit: String(USERS_PAGE), cursor: cursor || undefined, include_locale: 'true' },
      usersListSchema,
    );
    return { rows: r.members, nextPageToken: r.response_metadata || undefined };
  }

  /** Enabled user groups with their members, so each group's grants need no further call. */
  async userGroups(teamId: string): Promise<SlackUserGroup[]> {
    return (await this.call('usergroups.list', { team_id: teamId, include_users: 'true', include_count: 'true' }, userGroupsSchema)).usergroups;
  }

  async userGroupMembers(groupId: string): Promise<string[]> {
    return (await this.call('usergroups.users.list', { usergroup: groupId }, userGroupUsersSchema)).users;
  }

  private requireScim(): ScimClient {
    if (!this.scim) throw new Error(`${CONNECTOR}: business+ client not available: missing Business+ token`);
    return this.scim;
  }

  scimUsersPage(startIndex: number) {
    return this.requireScim().usersPage(startIndex);
  }

  scimGroupsPage(startIndex: number) {
    return this.requireScim().groupsPage(startIndex);
  }

  scimGroup(groupId: string): Promise<ScimGroup> {
    return this.requireScim().group(groupId);
  }

  scimUser(userId: string) {
    return this.requireScim().user(userId);
  }

  /** S6: SCIM DELETE deactivates the user (Slack keeps the account). */
  scimDeactivateUser(userId: string): Promise<void> {
    return this.requireScim().deactivateUser(userId);
  }

  /** S7: PATCH active=true. */
  scimActivateUser(userId: string): Promise<void> {
    return this.requireScim().activateUser(userId);
  }

  scimPatchGroupMembers(groupId: string, op: 'add' | 'remove', userIds: string[]): Promise<void> {
    return this.requireScim().patchGroupMembers(groupId, op, userIds);
  }
}
