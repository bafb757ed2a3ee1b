// The Slack calls the connector makes: Web API methods with the bot token and SCIM with
// the Business+ user token, each with its published rate limit and a zod schema of what we read.
import { z } from 'zod';
import type { HttpClient, RateLimit } from '../../shared/http/types.ts';
import type { ConnectorRuntime, Page } from '../../shared/sync/connector.ts';
import { slackHosts, type SlackConfig } from './config.ts';
import { CONNECTOR, inspectScim, inspectWebApi } from './errors.ts';

// Tiers are per method (and workspace). A burst of one minute's worth matches Slack's "occasional
// bursts" and lets a small workspace finish without spacing its few calls out. Every burst is one
// below Slack's: the token we leave absorbs network jitter (two requests arriving closer together
// than they were sent), which would otherwise cost a 429 and a whole Retry-After second.
const TIER_2 = { perMinute: 20, burst: 19 };
const TIER_4 = { perMinute: 100, burst: 99 };
const limit = (method: string, tier: { perMinute: number; burst: number }): RateLimit => ({ key: `slack:${method}`, ...tier });

export const RATE_LIMITS = {
  'auth.test': limit('auth.test', TIER_4),
  'users.info': limit('users.info', TIER_4),
  'auth.teams.list': limit('auth.teams.list', TIER_2),
  'users.list': limit('users.list', TIER_2),
  'usergroups.list': limit('usergroups.list', TIER_2),
  'usergroups.users.list': limit('usergroups.users.list', TIER_2),
  // SCIM is org-wide: reads 1000/min, reads by id 300/min, group PATCH 180/min (burst 80).
  scimRead: { key: 'slack-scim:read', perMinute: 1000, burst: 999 },
  scimReadById: { key: 'slack-scim:read-by-id', perMinute: 300, burst: 299 },
  scimPatchGroup: { key: 'slack-scim:patch-group', perMinute: 180, burst: 79 },
  // PATCH/DELETE user: 180/min, burst 20.
  scimWriteUser: { key: 'slack-scim:write-user', perMinute: 180, burst: 19 },
} satisfies Record<string, RateLimit>;

/** users.list's documented maximum (the Go connector asks for 200): 5× fewer Tier 2 calls. */
export const USERS_PAGE = 1000;
/** SCIM user page size: Slack caps `count` at 1000. */
export const SCIM_USERS_PAGE = 1000;
/** SCIM group page size: kept at 100 because list pages carry every member of every group. */
export const SCIM_GROUPS_PAGE = 100;

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

const nextCursor = z
  .object({ next_cursor: z.string().optional() })
  .optional()
  .transform((m) => m?.next_cursor ?? '');

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
const userGroupSchema = z.object({
  id: z.string(),
  name: z.string().optional().default(''),
  handle: z.string().optional().default(''),
  users: z.array(z.string()).optional(),
  /** With include_count: the true member count, which an embedded `users` list may fall short of. */
  user_count: z.number().int().nonnegative().optional(),
});
export type SlackUserGroup = z.output<typeof userGroupSchema>;
const userGroupsSchema = z.object({ ok: z.literal(true), usergroups: z.array(userGroupSchema) });
const userGroupUsersSchema = z.object({ ok: z.literal(true), users: z.array(z.string()) });

const scimListOf = <T extends z.ZodType>(item: T) =>
  z.object({ totalResults: z.number().int().nonnegative(), Resources: z.array(item).optional().default([]) });
const scimUserSchema = z.object({ id: z.string(), active: z.boolean().optional().default(true) });
const scimMemberSchema = z.object({ value: z.string() });
const scimGroupSchema = z.object({
  id: z.string(),
  displayName: z.string().optional().default(''),
  members: z.array(scimMemberSchema).optional(),
});
export type ScimGroup = z.output<typeof scimGroupSchema>;
const scimUsersSchema = scimListOf(scimUserSchema);
const scimGroupsSchema = scimListOf(scimGroupSchema);
const ignored = z.unknown();

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export class SlackClient {
  private readonly web: HttpClient;
  private readonly scim: HttpClient | undefined;

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
      ? runtime.http({
          name: `${CONNECTOR}-scim`,
          baseUrl: hosts.scim,
          headers: { Authorization: `Bearer ${config.businessPlusToken}` },
          inspect: inspectScim('BATON_BUSINESS_PLUS_TOKEN'),
          secrets: [config.businessPlusToken],
        })
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

  private requireScim(): HttpClient {
    if (!this.scim) throw new Error(`${CONNECTOR}: business+ client not available: missing Business+ token`);
    return this.scim;
  }

  async scimUsersPage(startIndex: number) {
    return this.requireScim().request({
      path: 'Users',
      query: { startIndex, count: SCIM_USERS_PAGE },
      schema: scimUsersSchema,
      rateLimit: RATE_LIMITS.scimRead,
      route: 'scim Users',
    });
  }

  async scimGroupsPage(startIndex: number) {
    return this.requireScim().request({
      path: 'Groups',
      query: { startIndex, count: SCIM_GROUPS_PAGE },
      schema: scimGroupsSchema,
      rateLimit: RATE_LIMITS.scimRead,
      route: 'scim Groups',
    });
  }

  async scimGroup(groupId: string): Promise<ScimGroup> {
    return this.requireScim().request({
      path: `Groups/${encodeURIComponent(groupId)}`,
      schema: scimGroupSchema,
      rateLimit: RATE_LIMITS.scimReadById,
      route: 'scim Groups/{id}',
    });
  }

  async scimUser(userId: string) {
    return this.requireScim().request({
      path: `Users/${encodeURIComponent(userId)}`,
      schema: scimUserSchema,
      rateLimit: RATE_LIMITS.scimReadById,
      route: 'scim Users/{id}',
    });
  }

  /** S6: SCIM DELETE deactivates the user (Slack keeps the account). */
  async scimDeactivateUser(userId: string): Promise<void> {
    await this.requireScim().request({
      method: 'DELETE',
      path: `Users/${encodeURIComponent(userId)}`,
      schema: ignored,
      rateLimit: RATE_LIMITS.scimWriteUser,
      route: 'scim DELETE Users/{id}',
    });
  }

  /** S7: PATCH active=true. */
  async scimActivateUser(userId: string): Promise<void> {
    await this.requireScim().request({
      method: 'PATCH',
      path: `Users/${encodeURIComponent(userId)}`,
      json: { schemas: [PATCH_OP], Operations: [{ path: 'active', op: 'replace', value: true }] },
      schema: ignored,
      rateLimit: RATE_LIMITS.scimWriteUser,
      route: 'scim PATCH Users/{id}',
    });
  }

  async scimPatchGroupMembers(groupId: string, op: 'add' | 'remove', userIds: string[]): Promise<void> {
    await this.requireScim().request({
      method: 'PATCH',
      path: `Groups/${encodeURIComponent(groupId)}`,
      json: { schemas: [PATCH_OP], Operations: [{ op, path: 'members', value: userIds.map((value) => ({ value })) }] },
      schema: ignored,
      rateLimit: RATE_LIMITS.scimPatchGroup,
      route: 'scim PATCH Groups/{id}',
    });
  }
}
