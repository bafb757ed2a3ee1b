import { z } from 'zod';
import type { HttpClient, ResponseInfo, ResponseVerdict } from '../../shared/http/types.ts';
import { ConnectorError, type ConnectorRuntime, type Page } from '../../shared/sync/connector.ts';
import type { SegmentConfig } from './config.ts';

// Zod schemas of the Segment Public API responses the connector reads. Rows keep only the fields the
// mapping uses, except permissions, which stay loose: they are written back on provisioning and
// must round-trip fields this code does not know (labels, B6).

const str = z
  .string()
  .nullish()
  .transform((v) => v ?? '');

export const paginationSchema = z.object({
  current: z.string().nullish(),
  // null, absent and "" all mean "no more pages".
  next: z.string().nullish(),
  previous: z.string().nullish(),
  totalEntries: z.number().nullish(),
});

export const permissionResourceSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
});

export const permissionSchema = z.looseObject({
  roleId: z.string(),
  roleName: z.string().optional(),
  resources: z
    .array(permissionResourceSchema)
    .nullish()
    .transform((v) => v ?? []),
});

export type Permission = z.infer<typeof permissionSchema>;

const permissions = z.array(permissionSchema).nullish();

export const workspaceSchema = z.object({ id: z.string(), name: str, slug: str });
export type Workspace = z.infer<typeof workspaceSchema>;

export const userSchema = z.object({
  id: z.string(),
  name: str,
  email: str,
  /** Present on GET /users/{id}; the list may or may not carry it (the OpenAPI row type allows it). */
  permissions,
});
export type User = z.infer<typeof userSchema>;

export const userGroupSchema = z.object({
  id: z.string(),
  name: str,
  memberCount: z.number().nullish(),
  permissions,
});
export type UserGroup = z.infer<typeof userGroupSchema>;

export const roleSchema = z.object({ id: z.string(), name: str, description: str });
export type Role = z.infer<typeof roleSchema>;

export const namedSchema = z.object({ id: z.string(), name: str });
export type Named = z.infer<typeof namedSchema>;

export const warehouseSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  metadata: z.object({ name: str }).nullish(),
});

export const functionSchema = z.object({ id: z.string(), displayName: str });

export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ data });
}

function rows<T extends z.ZodType>(row: T) {
  return z
    .array(row)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);
}

const page = { pagination: paginationSchema.nullish() };

export const workspaceResponse = envelope(z.object({ workspace: workspaceSchema }));
export const usersPage = envelope(z.object({ users: rows(userSchema), ...page }));
export const userResponse = envelope(z.object({ user: userSchema }));
export const groupsPage = envelope(z.object({ userGroups: rows(userGroupSchema), ...page }));
// The real key is `userGroup`; the Go code reads `group` and so never sees group permissions (B2).
export const groupResponse = envelope(z.object({ userGroup: userGroupSchema }));
export const groupMembersPage = envelope(z.object({ users: rows(userSchema), ...page }));
export const rolesPage = envelope(z.object({ roles: rows(roleSchema), ...page }));
export const sourcesPage = envelope(z.object({ sources: rows(namedSchema), ...page }));
export const warehousesPage = envelope(z.object({ warehouses: rows(warehouseSchema), ...page }));
export const spacesPage = envelope(z.object({ spaces: rows(namedSchema), ...page }));
export const functionsPage = envelope(z.object({ functions: rows(functionSchema), ...page }));
export const removeFromGroupResponse = envelope(z.looseObject({ status: z.string().nullish() }).nullish());
export const anyResponse = z.unknown();

/** One element of Segment's `errors` array. */
export const apiErrorSchema = z.looseObject({
  type: z.string().optional(),
  message: z.string().optional(),
  data: z.looseObject({ msBeforeNext: z.number().optional() }).nullish(),
});

export const errorsEnvelopeSchema = z.looseObject({ errors: z.array(apiErrorSchema).nullish() });

/** The three function kinds GET /functions must be asked for one by one. */
export const FUNCTION_KINDS = ['DESTINATION', 'INSERT_DESTINATION', 'SOURCE'] as const;
export type FunctionKind = (typeof FUNCTION_KINDS)[number];

// Thin Segment Public API client: one method per endpoint, each returning the page's rows and the
// next cursor. Envelope errors and Segment's 429 signals are interpreted in `inspectSegment`, which
// the shared HTTP client runs on every response.

/** Segment's maximum page size. */
export const PAGE_SIZE = 200;

export function nextCursor(pagination: { next?: string | null | undefined } | null | undefined): string | undefined {
  const next = pagination?.next;
  return typeof next === 'string' && next !== '' ? next : undefined;
}

/** The first envelope error as `type - message`, the way Segment's own tools report it. */
export function describeErrors(body: unknown): string | undefined {
  const parsed = errorsEnvelopeSchema.safeParse(body);
  const first = parsed.success ? parsed.data.errors?.[0] : undefined;
  if (!first) return undefined;
  const type = first.type ?? 'Error';
  return first.message ? `${type} - ${first.message}` : type;
}

function header(headers: ResponseInfo['headers'], name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

const CODES: Record<number, string> = { 400: 'bad_request', 401: 'unauthenticated', 403: 'permission_denied', 404: 'not_found', 422: 'invalid' };

const HINTS: Record<number, string> = {
  401: 'BATON_TOKEN was rejected; check the token and that BATON_REGION matches the workspace region',
  403: 'BATON_TOKEN lacks access; a Public API token with the Workspace Owner role (or read access to IAM and resources) is needed',
};

/**
 * Segment-specific reading of a response: 429 waits msBeforeNext (or until X-RateLimit-Reset);
 * a 2xx or 4xx that carries `errors` fails with Segment's type and message. 5xx and bodies that
 * are not JSON are left to the generic rules (retry / clear error).
 */
export function inspectSegment(res: ResponseInfo, now: () => number = Date.now): ResponseVerdict | undefined {
  if (res.status === 429) {
    const parsed = errorsEnvelopeSchema.safeParse(res.body);
    const ms = parsed.success ? parsed.data.errors?.[0]?.data?.msBeforeNext : undefined;
    if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) return { action: 'throttle', retryAfterMs: Math.ceil(ms) };
    const reset = header(res.headers, 'X-RateLimit-Reset');
    const at = reset ? Date.parse(reset) : Number.NaN;
    if (Number.isFinite(at)) return { action: 'throttle', retryAfterMs: Math.max(0, at - now()) };
    return undefined;
  }
  if (res.status >= 500) return undefined;
  const described = describeErrors(res.body);
  if (res.status >= 400) {
    const code = CODES[res.status] ?? 'request_error';
    const detail = `${res.method} ${res.endpoint} returned HTTP ${res.status}${described ? `: ${described}` : ''}`;
    const hint = HINTS[res.status];
    return { action: 'fail', error: new ConnectorError('segment', code, hint ? `${hint} (${detail})` : detail) };
  }
  if (described) {
    // Segment may send `errors` next to partial `data`; a partial page would silently drop rows.
    return { action: 'fail', error: new ConnectorError('segment', 'api_error', `${res.method} ${res.endpoint} returned errors: ${described}`) };
  }
  return undefined;
}

function segmentHttp(config: SegmentConfig, runtime: ConnectorRuntime): HttpClient {
  return runtime.http({
    name: 'segment',
    baseUrl: config.baseUrl,
    headers: {
      Authorization: `Bearer ${config.token}`,
      Accept: 'application/vnd.segment.v1+json, application/json',
    },
    inspect: (res) => inspectSegment(res),
    secrets: [config.token],
  });
}

const WRITE_HEADERS = { 'Content-Type': 'application/vnd.segment.v1+json' };
/**
 * Segment publishes no fixed read rate (limits depend on IP, token and request complexity), so
 * the bucket is deliberately loose (1000/s): it exists so that one 429's msBeforeNext pauses every
 * in-flight reader together instead of each retrying into the limit.
 */
export const READS = { key: 'segment:read', perMinute: 60_000, burst: 200 };
/** Segment documents its IAM mutation endpoints at 60 requests per minute. */
const IAM_WRITES = { key: 'segment:iam-write', perMinute: 60, burst: 5 };

export class SegmentClient {
  private readonly http: HttpClient;

  constructor(config: SegmentConfig, runtime: ConnectorRuntime) {
    this.http = segmentHttp(config, runtime);
  }

  private get<T>(path: string, schema: z.ZodType<T>, route: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    return this.http.request({ path, query, schema, route: `GET ${route}`, rateLimit: READS });
  }

  private paged(cursor: string | undefined, extra: Record<string, string> = {}): Record<string, string | number | undefined> {
    // The documented dotted form; the Go connector sends the bracket form, which Segment also accepts.
    return { ...extra, 'pagination.count': PAGE_SIZE, 'pagination.cursor': cursor || undefined };
  }

  async workspace(): Promise<Workspace> {
    return (await this.get('/', workspaceResponse, '/')).data.workspace;
  }

  async users(cursor?: string): Promise<Page<User>> {
    const { data } = await this.get('/users', usersPage, '/users', this.paged(cursor));
    return { rows: data.users, nextPageToken: nextCursor(data.pagination) };
  }

  /** Undefined when the user disappeared between the list and this call. */
  async user(id: string): Promise<User | undefined> {
    try {
      return (await this.get(`/users/${encodeURIComponent(id)}`, userResponse, '/users/{id}')).data.user;
    } catch (err) {
      if (err instanceof ConnectorError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  async groups(cursor?: string): Promise<Page<UserGroup>> {
    const { data } = await this.get('/groups', groupsPage, '/groups', this.paged(cursor));
    return { rows: data.userGroups, nextPageToken: nextCursor(data.pagination) };
  }

  async group(id: string): Promise<UserGroup | undefined> {
    try {
      return (await this.get(`/groups/${encodeURIComponent(id)}`, groupResponse, '/groups/{id}')).data.userGroup;
    } catch (err) {
      if (err instanceof ConnectorError && err.code === 'not_found') return undefined;
      throw err;
    }
  }

  async groupMembers(id: string, cursor?: string): Promise<Page<User>> {
    const { data } = await this.get(`/groups/${encodeURIComponent(id)}/users`, groupMembersPage, '/groups/{id}/users', this.paged(cursor));
    return { rows: data.users, nextPageToken: nextCursor(data.pagination) };
  }

  async roles(cursor?: string): Promise<Page<Role>> {
    const { data } = await this.get('/roles', rolesPage, '/roles', this.paged(cursor));
    return { rows: data.roles, nextPageToken: nextCursor(data.pagination) };
  }

  async sources(cursor?: string): Promise<Page<Named>> {
    const { data } = await this.get('/sources', sourcesPage, '/sources', this.paged(cursor));
    return { rows: data.sources, nextPageToken: nextCursor(data.pagination) };
  }

  async warehouses(cursor?: string): Promise<Page<Named>> {
    const { data } = await this.get('/warehouses', warehousesPage, '/warehouses', this.paged(cursor));
    const items = data.warehouses.map((w) => ({ id: w.id, name: w.metadata?.name || w.name || '' }));
    return { rows: items, nextPageToken: nextCursor(data.pagination) };
  }

  async spaces(cursor?: string): Promise<Page<Named>> {
    const { data } = await this.get('/spaces', spacesPage, '/spaces', this.paged(cursor));
    return { rows: data.spaces, nextPageToken: nextCursor(data.pagination) };
  }

  async functions(kind: FunctionKind, cursor?: string): Promise<Page<Named>> {
    const { data } = await this.get('/functions', functionsPage, '/functions', this.paged(cursor, { resourceType: kind }));
    return { rows: data.functions.map((f) => ({ id: f.id, name: f.displayName })), nextPageToken: nextCursor(data.pagination) };
  }

  // Provisioning endpoints (used by provisioning.ts).

  /** Adds the member; returns the group's member count afterwards, when Segment says it. */
  async addUserToGroup(groupId: string, email: string): Promise<number | undefined> {
    const out = await this.http.request({
      method: 'POST',
      path: `/groups/${encodeURIComponent(groupId)}/users`,
      json: { emails: [email] },
      headers: WRITE_HEADERS,
      rateLimit: IAM_WRITES,
      schema: anyResponse,
      route: 'POST /groups/{id}/users',
    });
    return groupResponse.safeParse(out).data?.data.userGroup.memberCount ?? undefined;
  }

  /**
   * Succeeds only when Segment answers `status: SUCCESS` (the Go code discarded the body, B3). The
   * path is Segment's OpenAPI spelling, singular `/group/`; the Go connector used `/groups/`.
   */
  async removeUserFromGroup(groupId: string, email: string): Promise<void> {
    const res = await this.http.request({
      method: 'DELETE',
      path: `/group/${encodeURIComponent(groupId)}/users`,
      // A JSON array in one parameter, as the Go connector sends it.
      query: { emails: JSON.stringify([email]) },
      rateLimit: IAM_WRITES,
      schema: removeFromGroupResponse,
      route: 'DELETE /group/{id}/users',
    });
    const status = res.data?.status;
    if (status !== 'SUCCESS') {
      throw new ConnectorError('segment', 'remove_failed', `removing a user from group ${groupId} returned status ${status ?? '(none)'}`);
    }
  }

  async replaceUserPermissions(userId: string, permissions: Permission[]): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: `/users/${encodeURIComponent(userId)}/permissions`,
      json: { permissions },
      headers: WRITE_HEADERS,
      rateLimit: IAM_WRITES,
      schema: anyResponse,
      route: 'PUT /users/{id}/permissions',
    });
  }

  async replaceGroupPermissions(groupId: string, permissions: Permission[]): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: `/groups/${encodeURIComponent(groupId)}/permissions`,
      json: { permissions },
      headers: WRITE_HEADERS,
      rateLimit: IAM_WRITES,
      schema: anyResponse,
      route: 'PUT /groups/{id}/permissions',
    });
  }
}
