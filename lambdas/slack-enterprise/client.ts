// The Slack calls the Grid connector makes: Web API methods with the bot token (per workspace) and
// with the org-level user token (admin.*, org-wide), SCIM with the user token. Each method is paced
// at its own tier, in its own bucket (per workspace where Slack counts per workspace).
import { z } from 'zod';
import type { HttpClient, RateLimit } from '../../shared/http/types.ts';
import { inspectScim, inspectWebApi, SlackApiError } from '../../shared/slack/errors.ts';
import { ScimClient } from '../../shared/slack/scim.ts';
import { TIER_2, TIER_3, TIER_4, type Tier, tierLimit } from '../../shared/slack/tiers.ts';
import { type SlackUserGroup, userGroupsSchema, userGroupUsersSchema } from '../../shared/slack/user-groups.ts';
import { nextCursor } from '../../shared/slack/web-api.ts';
import { ConnectorError, type ConnectorRuntime, type Page } from '../../shared/sync/connector.ts';
import { type GridConfig, gridHosts } from './config.ts';

export const CONNECTOR = 'slack-enterprise';
const NS = 'slack-grid';

/** Tier per method: Slack's method pages (auth.teams.list 2, admin.users.list 4, admin.teams.* 3, setAdmin 2); the rest taken as Tier 2. */
export const TIERS: Record<string, Tier> = {
  'auth.test': TIER_4,
  'users.info': TIER_4,
  'auth.teams.list': TIER_2,
  'users.list': TIER_2,
  'usergroups.list': TIER_2,
  'usergroups.users.list': TIER_2,
  'usergroups.users.update': TIER_2,
  'admin.users.list': TIER_4,
  'admin.users.assign': TIER_2,
  'admin.users.remove': TIER_2,
  'admin.users.setOwner': TIER_2,
  'admin.users.setAdmin': TIER_2,
  'admin.users.setRegular': TIER_2,
  'admin.teams.admins.list': TIER_3,
  'admin.teams.owners.list': TIER_3,
  'admin.roles.listAssignments': TIER_2,
  'admin.roles.addAssignments': TIER_2,
  'admin.roles.removeAssignments': TIER_2,
};
export type Method = keyof typeof TIERS & string;

/** Methods Slack counts per workspace (a bot token with team_id): one bucket per workspace. */
const PER_TEAM = new Set(['users.list', 'usergroups.list', 'usergroups.users.list', 'usergroups.users.update']);

export function rateLimitOf(method: Method, teamId?: string): RateLimit {
  const tier = TIERS[method]!;
  return PER_TEAM.has(method) && teamId ? tierLimit(`${method}:${teamId}`, tier, NS) : tierLimit(method, tier, NS);
}

/** Page sizes: each list at its documented maximum. */
export const PAGE = {
  'auth.teams.list': 1000,
  'users.list': 1000,
  /** admin.users.list documents only the default (100); 1000 is what the other user lists allow. */
  'admin.users.list': 1000,
  'admin.roles.listAssignments': 200,
  'admin.teams.admins.list': 1000,
} as const;

const bool = z.boolean().optional().default(false);

export const memberSchema = z.object({
  id: z.string(),
  deleted: bool,
  is_admin: bool,
  is_owner: bool,
  is_primary_owner: bool,
  is_bot: bool,
  is_invited_user: bool,
  is_restricted: bool,
  is_ultra_restricted: bool,
  is_stranger: bool,
});
export type Member = z.output<typeof memberSchema>;

/** admin.users.list's user: org-wide, with the workspaces the user is active in. */
export const adminUserSchema = z.object({
  id: z.string(),
  email: z.string().optional().default(''),
  username: z.string().optional().default(''),
  full_name: z.string().optional().default(''),
  is_active: z.boolean().optional().default(true),
  is_admin: bool,
  is_owner: bool,
  is_primary_owner: bool,
  is_restricted: bool,
  is_ultra_restricted: bool,
  is_bot: bool,
  has_2fa: z.boolean().optional(),
  workspaces: z.array(z.string()).optional().default([]),
});
export type AdminUser = z.output<typeof adminUserSchema>;

const teamSchema = z.object({ id: z.string(), name: z.string().optional().default(''), domain: z.string().optional().default('') });
export type Team = z.output<typeof teamSchema>;

const authTestSchema = z.object({
  ok: z.literal(true),
  user_id: z.string(),
  team_id: z.string().optional(),
  bot_id: z.string().optional(),
  enterprise_id: z.string().optional(),
});
const teamsSchema = z.object({ ok: z.literal(true), teams: z.array(teamSchema), response_metadata: nextCursor });
const membersSchema = z.object({ ok: z.literal(true), members: z.array(memberSchema), response_metadata: nextCursor });
const adminUsersSchema = z.object({ ok: z.literal(true), users: z.array(adminUserSchema), response_metadata: nextCursor });
const assignmentSchema = z.object({ role_id: z.string(), entity_id: z.string().optional().default(''), user_id: z.string() });
export type RoleAssignment = z.output<typeof assignmentSchema>;
const assignmentsSchema = z.object({ ok: z.literal(true), role_assignments: z.array(assignmentSchema), response_metadata: nextCursor });
const adminIdsSchema = z.object({ ok: z.literal(true), admin_ids: z.array(z.string()), response_metadata: nextCursor });
const ownerIdsSchema = z.object({ ok: z.literal(true), owner_ids: z.array(z.string()), response_metadata: nextCursor });
const okSchema = z.object({ ok: z.literal(true) });

/** Why a write was refused, in words, for the codes Slack documents on the write methods. */
const WRITE_REFUSALS: Record<string, string> = {
  cannot_modify_primary_owner: 'the primary owner cannot be changed through the API',
  cannot_modify_role_admin: 'the token may not change the Role Admin role',
  invalid_role_for_user: "the role does not fit the user's role in another workspace",
  user_not_found: 'no such user in the org (or not in that workspace)',
  team_not_found: 'no such workspace',
  not_an_admin: 'BATON_ENTERPRISE_TOKEN must belong to an Org Owner or Org Admin',
  invalid_permissions: 'BATON_ENTERPRISE_TOKEN must belong to an Org Owner or Org Admin',
  invalid_actor: 'BATON_ENTERPRISE_TOKEN must belong to an Org Owner or Org Admin',
  feature_not_enabled: 'the Admin API is not enabled for this org',
  failed_for_some_users: 'Slack refused the user (deactivated, or not in the org)',
  no_valid_users: 'Slack refused the user (deactivated, or not in the org)',
  failed_for_some_entities: 'Slack refused the role scope',
  too_many_entities: 'more than 10 role scopes in one call',
  invalid_users: 'a user in the list is not valid (deactivated, or not in the workspace)',
  no_such_subteam: 'the user group no longer exists or is disabled',
  permission_denied: 'the token may not edit this user group',
};

/** The codes grant/revoke read as "already so" (idempotency), left for the caller to inspect. */
const ALREADY = new Set(['user_already_team_member', 'user_already_deleted']);

function explainWrite(method: string, err: unknown): never {
  if (err instanceof SlackApiError && !ALREADY.has(err.code)) {
    const why = WRITE_REFUSALS[err.code] ?? "see Slack's documentation of the method";
    throw new ConnectorError(CONNECTOR, err.code, `${method} refused: ${err.code} (${why})`, { cause: err });
  }
  throw err;
}

export class GridClient {
  private readonly bot: HttpClient;
  private readonly admin: HttpClient;
  readonly scim: ScimClient;

  constructor(config: GridConfig, runtime: ConnectorRuntime) {
    const hosts = gridHosts(config);
    this.bot = runtime.http({
      name: CONNECTOR,
      baseUrl: hosts.webApi,
      headers: { Authorization: `Bearer ${config.botToken}` },
      inspect: inspectWebApi('BATON_TOKEN', CONNECTOR),
      secrets: [config.botToken],
    });
    this.admin = runtime.http({
      name: `${CONNECTOR}-admin`,
      baseUrl: hosts.webApi,
      headers: { Authorization: `Bearer ${config.enterpriseToken}` },
      inspect: inspectWebApi('BATON_ENTERPRISE_TOKEN', CONNECTOR),
      secrets: [config.enterpriseToken],
    });
    this.scim = new ScimClient(
      runtime.http({
        name: `${CONNECTOR}-scim`,
        baseUrl: hosts.scim,
        headers: { Authorization: `Bearer ${config.enterpriseToken}` },
        inspect: inspectScim('BATON_ENTERPRISE_TOKEN', CONNECTOR),
        secrets: [config.enterpriseToken],
      }),
    );
  }

  private call<T>(http: HttpClient, method: Method, form: Record<string, string | undefined>, schema: z.ZodType<T>, teamId?: string): Promise<T> {
    return http.request({ method: 'POST', path: method, form, schema, rateLimit: rateLimitOf(method, teamId), route: method });
  }

  /** JSON body: the admin.roles writes take arrays, and grant and revoke send them the same way. */
  private callJson<T>(method: Method, json: unknown, schema: z.ZodType<T>): Promise<T> {
    return this.admin.request({ method: 'POST', path: method, json, schema, rateLimit: rateLimitOf(method), route: method });
  }

  authTestBot() {
    return this.call(this.bot, 'auth.test', {}, authTestSchema);
  }

  authTestAdmin() {
    return this.call(this.admin, 'auth.test', {}, authTestSchema);
  }

  async teamsPage(cursor: string): Promise<Page<Team>> {
    const r = await this.call(this.admin, 'auth.teams.list', { limit: String(PAGE['auth.teams.list']), cursor: cursor || undefined }, teamsSchema);
    return { rows: r.teams, nextPageToken: r.response_metadata || undefined };
  }

  /** The org's users, once, with the workspaces each is in (org-level token, no team_id). */
  async orgUsersPage(cursor: string, filter: { active?: boolean; include_admins?: boolean; include_owners?: boolean } = {}): Promise<Page<AdminUser>> {
    const r = await this.call(
      this.admin,
      'admin.users.list',
      {
        limit: String(PAGE['admin.users.list']),
        cursor: cursor || undefined,
        is_active: filter.active === false ? 'false' : undefined,
        include_admins: filter.include_admins ? 'true' : undefined,
        include_owners: filter.include_owners ? 'true' : undefined,
      },
      adminUsersSchema,
    );
    return { rows: r.users, nextPageToken: r.response_metadata || undefined };
  }

  /** One workspace's members with their role flags in it (bot token; a limit is required on big teams). */
  async membersPage(teamId: string, cursor: string): Promise<Page<Member>> {
    const r = await this.call(
      this.bot,
      'users.list',
      { team_id: teamId, limit: String(PAGE['users.list']), cursor: cursor || undefined },
      membersSchema,
      teamId,
    );
    return { rows: r.members, nextPageToken: r.response_metadata || undefined };
  }

  async roleAssignmentsPage(cursor: string, roleId?: string): Promise<Page<RoleAssignment>> {
    const r = await this.call(
      this.admin,
      'admin.roles.listAssignments',
      { limit: String(PAGE['admin.roles.listAssignments']), cursor: cursor || undefined, role_ids: roleId },
      assignmentsSchema,
    );
    return { rows: r.role_assignments, nextPageToken: r.response_metadata || undefined };
  }

  async userGroups(teamId: string): Promise<SlackUserGroup[]> {
    return (await this.call(this.bot, 'usergroups.list', { team_id: teamId, include_users: 'true', include_count: 'true' }, userGroupsSchema, teamId))
      .usergroups;
  }

  async userGroupMembers(teamId: string, groupId: string): Promise<string[]> {
    return (await this.call(this.bot, 'usergroups.users.list', { usergroup: groupId, team_id: teamId }, userGroupUsersSchema, teamId)).users;
  }

  async setUserGroupMembers(teamId: string, groupId: string, users: string[]): Promise<void> {
    await this.call(this.admin, 'usergroups.users.update', { usergroup: groupId, team_id: teamId, users: users.join(',') }, okSchema, teamId).catch(
      (e: unknown) => explainWrite('usergroups.users.update', e),
    );
  }

  async workspaceAdmins(teamId: string): Promise<Set<string>> {
    return this.idList('admin.teams.admins.list', teamId, adminIdsSchema, (r) => r.admin_ids);
  }

  async workspaceOwners(teamId: string): Promise<Set<string>> {
    return this.idList('admin.teams.owners.list', teamId, ownerIdsSchema, (r) => r.owner_ids);
  }

  private async idList<R extends { response_metadata: string }>(
    method: Method,
    teamId: string,
    schema: z.ZodType<R>,
    ids: (r: R) => string[],
  ): Promise<Set<string>> {
    const out = new Set<string>();
    let cursor = '';
    do {
      const r = await this.call(this.admin, method, { team_id: teamId, limit: String(PAGE['admin.teams.admins.list']), cursor: cursor || undefined }, schema);
      for (const id of ids(r)) out.add(id);
      cursor = r.response_metadata;
    } while (cursor);
    return out;
  }

  async adminUserCall(
    method: 'admin.users.assign' | 'admin.users.remove' | 'admin.users.setOwner' | 'admin.users.setAdmin' | 'admin.users.setRegular',
    teamId: string,
    userId: string,
  ) {
    await this.call(this.admin, method, { team_id: teamId, user_id: userId }, okSchema).catch((e: unknown) => explainWrite(method, e));
  }

  async roleAssignment(method: 'admin.roles.addAssignments' | 'admin.roles.removeAssignments', roleId: string, userId: string, entityIds: string[]) {
    await this.callJson(method, { role_id: roleId, user_ids: [userId], entity_ids: entityIds }, okSchema).catch((e: unknown) => explainWrite(method, e));
  }
}
