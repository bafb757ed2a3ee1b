// The Okta management API calls the connector makes: each with its documented page size, the rate
// limit bucket it counts against (paced from X-Rate-Limit-* headers), `Link: rel="next"`
// pagination and a zod schema of what is read.
import { z } from 'zod';
import type { HttpClient } from '../../shared/http/types.ts';
import { WindowPacer } from '../../shared/http/window-pacer.ts';
import type { ConnectorRuntime } from '../../shared/sync/connector.ts';
import { type Credentials, clientCredentials, inspectTokenEndpoint, ssws, TOKEN_PATH } from './auth.ts';
import { type OktaConfig, oauthScopes } from './config.ts';
import { CONNECTOR, inspectOkta } from './errors.ts';

/**
 * `limit` per endpoint: the documented maximum (users: "200 for most orgs"; groups 10000; group
 * members default 1000; apps 200; app users 500; app groups 200). The role assignees endpoint
 * documents no maximum; 1000 is what baton-okta asks and Okta accepts.
 */
export const PAGE = { users: 200, groups: 10_000, groupUsers: 1000, apps: 200, appUsers: 500, appGroups: 200, assignees: 1000 } as const;

/**
 * Okta's rate-limit buckets (Management API): all of /api/v1/apps* shares one (100/min on
 * Workforce orgs); /api/v1/groups* except /groups/{id} another; listing and creating users a third;
 * a user by id and its lifecycle are separate; the rest of /api/v1 falls in "most other".
 */
export type Bucket = 'apps' | 'app' | 'groups' | 'group' | 'users' | 'user' | 'user-write' | 'other';

export function bucketOf(method: string, path: string): Bucket {
  const p = path.split('?')[0]!.replace(/\/+$/, '');
  const parts = p.split('/').filter(Boolean); // api v1 <collection> [id] [sub…]
  const collection = parts[2];
  const rest = parts.length - 3;
  if (collection === 'apps') return rest === 1 ? 'app' : 'apps';
  if (collection === 'groups') return rest === 1 ? 'group' : 'groups';
  if (collection === 'users') {
    if (rest === 0) return 'users';
    if (rest === 1) return method === 'GET' ? 'user' : 'user-write';
    if (parts[4] === 'lifecycle') return 'user-write';
  }
  return 'other';
}

const links = z.object({ next: z.object({ href: z.string() }).optional() }).optional();

export const userSchema = z.object({
  id: z.string(),
  status: z.string().optional().default(''),
  created: z.string().nullish(),
  lastLogin: z.string().nullish(),
  profile: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((p) => p ?? {}),
});
export type OktaUser = z.output<typeof userSchema>;

export const groupSchema = z.object({
  id: z.string(),
  type: z.string().optional().default(''),
  profile: z.object({ name: z.string().optional().default(''), description: z.string().nullish() }).passthrough(),
  _embedded: z
    .object({ stats: z.object({ usersCount: z.number().optional(), appsCount: z.number().optional() }).passthrough().optional() })
    .passthrough()
    .optional(),
});
export type OktaGroup = z.output<typeof groupSchema>;

export const appSchema = z.object({
  id: z.string(),
  label: z.string().optional().default(''),
  status: z.string().optional().default(''),
  signOnMode: z.string().nullish(),
});
export type OktaApp = z.output<typeof appSchema>;

const appUserSchema = z.object({ id: z.string(), scope: z.string().nullish(), profile: z.record(z.string(), z.unknown()).nullish() });
export type OktaAppUser = z.output<typeof appUserSchema>;
const appGroupSchema = z.object({ id: z.string() });

/** A role assignment of a user or group (StandardRole or CustomRole in the spec). */
export const roleAssignmentSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: z.string().optional().default(''),
  assignmentType: z.string().optional().default(''),
  label: z.string().optional().default(''),
  /** Custom roles: the role's id. */
  role: z.string().nullish(),
});
export type RoleAssignment = z.output<typeof roleAssignmentSchema>;

const assigneesSchema = z.object({
  value: z
    .array(z.object({ id: z.string() }))
    .optional()
    .default([]),
  _links: links,
});
const iamRoleSchema = z.object({ id: z.string(), label: z.string().optional().default(''), description: z.string().nullish() });
export type IamRole = z.output<typeof iamRoleSchema>;
const iamRolesSchema = z.object({ roles: z.array(iamRoleSchema).optional().default([]), _links: links });
const resourceSetSchema = z.object({ id: z.string(), label: z.string().optional().default(''), description: z.string().nullish() });
export type ResourceSet = z.output<typeof resourceSetSchema>;
const resourceSetsSchema = z.object({ 'resource-sets': z.array(resourceSetSchema).optional().default([]), _links: links });
const bindingsSchema = z.object({
  roles: z
    .array(z.object({ id: z.string() }))
    .optional()
    .default([]),
  _links: links,
});
const memberSchema = z.object({ id: z.string(), _links: z.object({ self: z.object({ href: z.string() }).optional() }).optional() });
export type BindingMember = z.output<typeof memberSchema>;
const membersSchema = z.object({ members: z.array(memberSchema).optional().default([]), _links: links });
export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string().optional().default(''),
  userId: z.string().optional().default(''),
  created: z.string().nullish(),
  lastUpdated: z.string().nullish(),
  expiresAt: z.string().nullish(),
  clientName: z.string().nullish(),
});
export type ApiToken = z.output<typeof apiTokenSchema>;
const ignored = z.unknown();

export interface Page<T> {
  items: T[];
  /** The `after` cursor of the next page; undefined on the last page. */
  after?: string;
}

/** The `after` value of a `Link: <…>; rel="next"` header (Okta sends one Link header per relation). */
export function nextAfter(link: string | string[] | undefined): string | undefined {
  for (const part of (Array.isArray(link) ? link : [link ?? '']).flatMap((l) => l.split(/,(?=\s*<)/))) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (m) return afterOf(m[1]!);
  }
  return undefined;
}

function afterOf(href: string): string | undefined {
  try {
    return new URL(href, 'https://okta.invalid').searchParams.get('after') || undefined;
  } catch {
    return undefined;
  }
}

type Query = Record<string, string | number | boolean | undefined>;

interface Call<T> {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  json?: unknown;
  headers?: Record<string, string>;
  schema: z.ZodType<T>;
  /** Stats label (paths carry ids). */
  route: string;
}

export class OktaClient {
  private readonly http: HttpClient;
  private readonly credentials: Credentials;
  private readonly pacer: WindowPacer;
  readonly config: OktaConfig;

  constructor(config: OktaConfig, runtime: ConnectorRuntime) {
    this.config = config;
    const pacer = new WindowPacer({ share: config.rateLimitShare });
    this.pacer = pacer;
    const credentialKey = config.oauth ? 'BATON_OKTA_CLIENT_ID' : 'BATON_API_TOKEN';
    this.http = runtime.http({
      name: CONNECTOR,
      baseUrl: config.baseUrl,
      inspect: inspectOkta({ credentialKey }),
      secrets: [config.apiToken, config.oauth?.privateKey].filter((s): s is string => !!s),
      pacer,
    });
    if (config.oauth) {
      const scopes = oauthScopes(config);
      const tokenHttp = runtime.http({
        name: `${CONNECTOR}-oauth`,
        baseUrl: config.baseUrl,
        inspect: inspectTokenEndpoint(scopes),
        secrets: [config.oauth.privateKey],
      });
      // The audience is the org's token endpoint as Okta names it, whatever host we reach it by.
      this.credentials = clientCredentials(tokenHttp, config.oauth, `https://${config.domain}${TOKEN_PATH}`, scopes);
    } else {
      this.credentials = ssws(config.apiToken!);
    }
  }

  /** How long a request on this bucket would wait now for its rate-limit window (0: none). */
  bucketWaitMs(bucket: Bucket): number {
    return this.pacer.delayMs(bucket, performance.timeOrigin + performance.now());
  }

  get usesOAuth(): boolean {
    return this.credentials.oauth;
  }

  private async call<T>(c: Call<T>, onHeaders?: (h: Record<string, string | string[] | undefined>) => void): Promise<T> {
    const method = c.method ?? 'GET';
    const send = async () =>
      this.http.request({
        method,
        path: c.path,
        query: c.query,
        json: c.json,
        headers: { authorization: await this.credentials.authorization(), ...c.headers },
        schema: c.schema,
        route: c.route,
        pace: bucketOf(method, c.path),
        onHeaders,
      });
    try {
      return await send();
    } catch (err) {
      // An OAuth access token may be revoked or expire early: one fresh token, one more try.
      if (!this.credentials.oauth || (err as { code?: unknown }).code !== 'unauthenticated') throw err;
      this.credentials.refused();
      return send();
    }
  }

  private async list<T>(c: Call<T[]>): Promise<Page<T>> {
    let after: string | undefined;
    const items = await this.call(c, (h) => (after = nextAfter(h.link)));
    return { items, after };
  }

  /** Bodies that carry `_links.next` besides (or instead of) the Link header. */
  private async wrapped<B extends { _links?: { next?: { href: string } } }, T>(c: Call<B>, pick: (b: B) => T[]): Promise<Page<T>> {
    let after: string | undefined;
    const body = await this.call(c, (h) => (after = nextAfter(h.link)));
    const next = body._links?.next?.href;
    return { items: pick(body), after: after ?? (next ? afterOf(next) : undefined) };
  }

  /** The cheapest call that proves the token may read users. */
  probeUsers() {
    return this.list({ path: '/api/v1/users', query: { limit: 1 }, schema: z.array(userSchema), route: 'GET /api/v1/users (probe)' });
  }

  /** Every user, deactivated ones too (`search=status pr`), without credentials in the answer. */
  users(after?: string) {
    return this.list({
      path: '/api/v1/users',
      query: { limit: PAGE.users, search: 'status pr', after },
      headers: { 'content-type': 'application/json; okta-response="omitCredentials,omitCredentialsLinks,omitTransitioningToStatus"' },
      schema: z.array(userSchema),
      route: 'GET /api/v1/users',
    });
  }

  user(id: string) {
    return this.call({ path: `/api/v1/users/${enc(id)}`, schema: userSchema, route: 'GET /api/v1/users/{id}' });
  }

  groups(after?: string) {
    return this.list({
      path: '/api/v1/groups',
      query: { limit: PAGE.groups, expand: 'stats', after },
      schema: z.array(groupSchema),
      route: 'GET /api/v1/groups',
    });
  }

  groupUsers(groupId: string, after?: string) {
    return this.list({
      path: `/api/v1/groups/${enc(groupId)}/users`,
      query: { limit: PAGE.groupUsers, after },
      schema: z.array(userSchema),
      route: 'GET /api/v1/groups/{id}/users',
    });
  }

  groupRoles(groupId: string, after?: string) {
    return this.list({
      path: `/api/v1/groups/${enc(groupId)}/roles`,
      query: { after },
      schema: z.array(roleAssignmentSchema),
      route: 'GET /api/v1/groups/{id}/roles',
    });
  }

  apps(after?: string) {
    return this.list({
      path: '/api/v1/apps',
      query: { limit: PAGE.apps, after, filter: this.config.syncInactiveApps ? undefined : 'status eq "ACTIVE"' },
      schema: z.array(appSchema),
      route: 'GET /api/v1/apps',
    });
  }

  appUsers(appId: string, after?: string) {
    return this.list({
      path: `/api/v1/apps/${enc(appId)}/users`,
      query: { limit: PAGE.appUsers, after },
      schema: z.array(appUserSchema),
      route: 'GET /api/v1/apps/{id}/users',
    });
  }

  appGroups(appId: string, after?: string) {
    return this.list({
      path: `/api/v1/apps/${enc(appId)}/groups`,
      query: { limit: PAGE.appGroups, after },
      schema: z.array(appGroupSchema),
      route: 'GET /api/v1/apps/{id}/groups',
    });
  }

  roleAssignees(after?: string) {
    return this.wrapped(
      { path: '/api/v1/iam/assignees/users', query: { limit: PAGE.assignees, after }, schema: assigneesSchema, route: 'GET /api/v1/iam/assignees/users' },
      (b) => b.value,
    );
  }

  userRoles(userId: string) {
    return this.call({ path: `/api/v1/users/${enc(userId)}/roles`, schema: z.array(roleAssignmentSchema), route: 'GET /api/v1/users/{id}/roles' });
  }

  customRoles(after?: string) {
    return this.wrapped({ path: '/api/v1/iam/roles', query: { after }, schema: iamRolesSchema, route: 'GET /api/v1/iam/roles' }, (b) => b.roles);
  }

  resourceSets(after?: string) {
    return this.wrapped(
      { path: '/api/v1/iam/resource-sets', query: { after }, schema: resourceSetsSchema, route: 'GET /api/v1/iam/resource-sets' },
      (b) => b['resource-sets'],
    );
  }

  bindings(resourceSetId: string, after?: string) {
    return this.wrapped(
      {
        path: `/api/v1/iam/resource-sets/${enc(resourceSetId)}/bindings`,
        query: { after },
        schema: bindingsSchema,
        route: 'GET /api/v1/iam/resource-sets/{id}/bindings',
      },
      (b) => b.roles,
    );
  }

  bindingMembers(resourceSetId: string, roleId: string, after?: string) {
    return this.wrapped(
      {
        path: `/api/v1/iam/resource-sets/${enc(resourceSetId)}/bindings/${enc(roleId)}/members`,
        query: { after },
        schema: membersSchema,
        route: 'GET /api/v1/iam/resource-sets/{id}/bindings/{role}/members',
      },
      (b) => b.members,
    );
  }

  apiTokens(after?: string) {
    return this.list({ path: '/api/v1/api-tokens', query: { after }, schema: z.array(apiTokenSchema), route: 'GET /api/v1/api-tokens' });
  }

  /** The groups a user is in (provisioning checks membership here: a user is in few groups). */
  userGroups(userId: string, after?: string) {
    return this.list({
      path: `/api/v1/users/${enc(userId)}/groups`,
      query: { limit: 200, after },
      schema: z.array(z.object({ id: z.string() })),
      route: 'GET /api/v1/users/{id}/groups',
    });
  }

  groupRolesAll = async (groupId: string) => collect((after) => this.groupRoles(groupId, after));

  // Writes (provisioning and account actions).

  addGroupMember(groupId: string, userId: string) {
    return this.call({
      method: 'PUT',
      path: `/api/v1/groups/${enc(groupId)}/users/${enc(userId)}`,
      schema: ignored,
      route: 'PUT /api/v1/groups/{id}/users/{uid}',
    });
  }

  removeGroupMember(groupId: string, userId: string) {
    return this.call({
      method: 'DELETE',
      path: `/api/v1/groups/${enc(groupId)}/users/${enc(userId)}`,
      schema: ignored,
      route: 'DELETE /api/v1/groups/{id}/users/{uid}',
    });
  }

  assignUserRole(userId: string, type: string) {
    return this.call({
      method: 'POST',
      path: `/api/v1/users/${enc(userId)}/roles`,
      json: { type },
      schema: roleAssignmentSchema,
      route: 'POST /api/v1/users/{id}/roles',
    });
  }

  unassignUserRole(userId: string, assignmentId: string) {
    return this.call({
      method: 'DELETE',
      path: `/api/v1/users/${enc(userId)}/roles/${enc(assignmentId)}`,
      schema: ignored,
      route: 'DELETE /api/v1/users/{id}/roles/{rid}',
    });
  }

  assignGroupRole(groupId: string, type: string) {
    return this.call({
      method: 'POST',
      path: `/api/v1/groups/${enc(groupId)}/roles`,
      json: { type },
      schema: roleAssignmentSchema,
      route: 'POST /api/v1/groups/{id}/roles',
    });
  }

  unassignGroupRole(groupId: string, assignmentId: string) {
    return this.call({
      method: 'DELETE',
      path: `/api/v1/groups/${enc(groupId)}/roles/${enc(assignmentId)}`,
      schema: ignored,
      route: 'DELETE /api/v1/groups/{id}/roles/{rid}',
    });
  }

  appUser(appId: string, userId: string) {
    return this.call({ path: `/api/v1/apps/${enc(appId)}/users/${enc(userId)}`, schema: appUserSchema, route: 'GET /api/v1/apps/{id}/users/{uid}' });
  }

  assignAppUser(appId: string, userId: string, userName: string | undefined) {
    return this.call({
      method: 'POST',
      path: `/api/v1/apps/${enc(appId)}/users`,
      json: { id: userId, scope: 'USER', ...(userName ? { credentials: { userName } } : {}) },
      schema: ignored,
      route: 'POST /api/v1/apps/{id}/users',
    });
  }

  unassignAppUser(appId: string, userId: string) {
    return this.call({
      method: 'DELETE',
      path: `/api/v1/apps/${enc(appId)}/users/${enc(userId)}`,
      schema: ignored,
      route: 'DELETE /api/v1/apps/{id}/users/{uid}',
    });
  }

  appGroup(appId: string, groupId: string) {
    return this.call({ path: `/api/v1/apps/${enc(appId)}/groups/${enc(groupId)}`, schema: appGroupSchema, route: 'GET /api/v1/apps/{id}/groups/{gid}' });
  }

  assignAppGroup(appId: string, groupId: string) {
    return this.call({
      method: 'PUT',
      path: `/api/v1/apps/${enc(appId)}/groups/${enc(groupId)}`,
      json: {},
      schema: ignored,
      route: 'PUT /api/v1/apps/{id}/groups/{gid}',
    });
  }

  unassignAppGroup(appId: string, groupId: string) {
    return this.call({
      method: 'DELETE',
      path: `/api/v1/apps/${enc(appId)}/groups/${enc(groupId)}`,
      schema: ignored,
      route: 'DELETE /api/v1/apps/{id}/groups/{gid}',
    });
  }

  createBinding(resourceSetId: string, roleId: string, memberUrl: string) {
    return this.call({
      method: 'POST',
      path: `/api/v1/iam/resource-sets/${enc(resourceSetId)}/bindings`,
      json: { role: roleId, members: [memberUrl] },
      schema: ignored,
      route: 'POST /api/v1/iam/resource-sets/{id}/bindings',
    });
  }

  deleteBinding(resourceSetId: string, roleId: string) {
    return this.call({
      method: 'DELETE',
      path: `/api/v1/iam/resource-sets/${enc(resourceSetId)}/bindings/${enc(roleId)}`,
      schema: ignored,
      route: 'DELETE /api/v1/iam/resource-sets/{id}/bindings/{role}',
    });
  }

  removeBindingMember(resourceSetId: string, roleId: string, memberId: string) {
    return this.call({
      method: 'DELETE',
      path: `/api/v1/iam/resource-sets/${enc(resourceSetId)}/bindings/${enc(roleId)}/members/${enc(memberId)}`,
      schema: ignored,
      route: 'DELETE /api/v1/iam/resource-sets/{id}/bindings/{role}/members/{mid}',
    });
  }

  lifecycle(userId: string, operation: 'suspend' | 'unsuspend' | 'activate') {
    return this.call({
      method: 'POST',
      path: `/api/v1/users/${enc(userId)}/lifecycle/${operation}`,
      query: operation === 'activate' ? { sendEmail: false } : undefined,
      schema: ignored,
      route: `POST /api/v1/users/{id}/lifecycle/${operation}`,
    });
  }
}

/** Every page of a list. */
export async function collect<T>(page: (after: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  do {
    const p = await page(after);
    out.push(...p.items);
    after = p.after;
  } while (after);
  return out;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
