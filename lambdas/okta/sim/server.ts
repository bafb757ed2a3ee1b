// The Okta Management API paths the connector calls, answered from a tenant with Okta's auth
// (SSWS tokens; OAuth 2.0 client credentials whose private_key_jwt assertion is verified against
// the app's registered key), Link pagination, Okta error bodies, per-bucket rate limits with the
// X-Rate-Limit-* headers and 429 E0000047, and the write endpoints provisioning uses.
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { SimRequest, SimResponse } from '../../../shared/sim/kit.ts';
import { simBucketOf, WindowLimiter, WORKFORCE_LIMITS } from './limits.ts';
import type { OktaTenant, SimGroup, SimRole, SimUser } from './tenant.ts';

export type NoAdminRoleAnswer = 'empty' | '403';

/** Switches tests flip while the simulator runs. */
export interface OktaSimControls {
  tenant: OktaTenant;
  limiter: WindowLimiter;
  /** SSWS tokens or access tokens Okta has revoked: 401 E0000011. */
  revoked: Set<string>;
  /** How an OAuth app without an admin role is answered on GET /api/v1/users: 200 [] or 403 E0000006. */
  noAdminRole: NoAdminRoleAnswer;
  /** Answer the next matching calls with 429 E0000047 regardless of the buckets. */
  forceRateLimit(options: { times?: number; pathIncludes?: string; resetInSec?: number }): void;
  /** Answer the next matching calls with this Okta error. */
  forceError(options: { status: number; code: string; summary: string; times?: number; pathIncludes?: string; method?: string }): void;
  /** Access tokens issued by the token endpoint. */
  readonly issued: Map<string, { clientId: string; scopes: string[] }>;
  /** Every non-GET call (method, path, JSON body). */
  readonly writes: { method: string; path: string; json: unknown }[];
  /** Milliseconds each answer takes (0: at once), so requests overlap as they do over a network. */
  latencyMs: number;
  /** Most requests being answered at once so far (meaningful with a latency). */
  readonly peakInFlight: number;
}

const ERRORS = {
  E0000006: 'You do not have permission to perform the requested action',
  E0000007: 'Not found: Resource not found',
  E0000011: 'Invalid token provided',
  E0000047: 'API call exceeded rate limit due to too many requests.',
} as const;

function oktaError(status: number, code: string, summary: string, causes: string[] = []): SimResponse {
  return {
    status,
    body: {
      errorCode: code,
      errorSummary: summary,
      errorLink: code,
      errorId: `oae${randomUUID().slice(0, 20)}`,
      errorCauses: causes.map((c) => ({ errorSummary: c })),
    },
  };
}

const notFound = (what: string) => oktaError(404, 'E0000007', `Not found: Resource not found: ${what} (${what.split(' ')[0]})`);

/** Maximum `limit` per list, and what an absent `limit` means. */
const PAGE_LIMITS: Record<string, { max: number; default: number }> = {
  users: { max: 200, default: 200 },
  groups: { max: 10_000, default: 10_000 },
  groupUsers: { max: 1000, default: 1000 },
  apps: { max: 200, default: 200 },
  appUsers: { max: 500, default: 50 },
  appGroups: { max: 200, default: 20 },
  assignees: { max: 100, default: 100 },
  userGroups: { max: 200, default: 200 },
  iam: { max: 20, default: 20 },
  apiTokens: { max: 20, default: 20 },
};

interface Paged<T> {
  items: T[];
  next?: string;
}

function page<T>(all: readonly T[], req: SimRequest, kind: keyof typeof PAGE_LIMITS): Paged<T> | SimResponse {
  const spec = PAGE_LIMITS[kind]!;
  const raw = req.query.get('limit');
  const asked = raw === null ? spec.default : Number(raw);
  if (!Number.isInteger(asked) || asked < 1) return oktaError(400, 'E0000001', 'Api validation failed: limit', ['limit: must be a positive integer']);
  // Okta answers an over-max limit with at most its maximum.
  const limit = Math.min(asked, spec.max);
  const after = req.query.get('after');
  let offset = 0;
  if (after) {
    const m = /^o(\d+)$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
    if (!m) return oktaError(400, 'E0000001', 'Api validation failed: after', ['after: invalid cursor']);
    offset = Number(m[1]);
  }
  const items = all.slice(offset, offset + limit);
  const nextOffset = offset + items.length;
  return { items, next: nextOffset < all.length ? Buffer.from(`o${nextOffset}`).toString('base64url') : undefined };
}

export function createOktaRoute(tenant: OktaTenant, baseUrl: () => string, record = true) {
  const limiter = new WindowLimiter();
  const forcedLimits: { left: number; pathIncludes?: string; resetInSec: number }[] = [];
  const forcedErrors: { left: number; status: number; code: string; summary: string; pathIncludes?: string; method?: string }[] = [];
  const writes: OktaSimControls['writes'] = [];
  const issued = new Map<string, { clientId: string; scopes: string[] }>();
  const usedJti = new Set<string>();
  const controls: OktaSimControls = {
    tenant,
    limiter,
    revoked: new Set(),
    noAdminRole: 'empty',
    forceRateLimit(o) {
      forcedLimits.push({ left: o.times ?? 1, pathIncludes: o.pathIncludes, resetInSec: o.resetInSec ?? 1 });
    },
    forceError(o) {
      forcedErrors.push({ left: o.times ?? 1, status: o.status, code: o.code, summary: o.summary, pathIncludes: o.pathIncludes, method: o.method });
    },
    issued,
    writes,
    latencyMs: 0,
    get peakInFlight() {
      return peak;
    },
  };
  let inFlight = 0;
  let peak = 0;

  const userById = () => new Map(tenant.users.map((u) => [u.id, u]));
  let usersIndex = userById();
  let usersCount = tenant.users.length;
  const user = (id: string): SimUser | undefined => {
    if (usersCount !== tenant.users.length) {
      usersIndex = userById();
      usersCount = tenant.users.length;
    }
    return usersIndex.get(id);
  };
  // Indexes rebuilt when a test adds or removes groups or apps.
  const indexed = <T extends { id: string }>(list: () => T[]) => {
    let map = new Map<string, T>();
    let size = -1;
    return (id: string): T | undefined => {
      if (size !== list().length) {
        map = new Map(list().map((x) => [x.id, x]));
        size = list().length;
      }
      return map.get(id);
    };
  };
  const group = indexed(() => tenant.groups);
  const app = indexed(() => tenant.apps);

  function renderUser(u: SimUser): Record<string, unknown> {
    return {
      id: u.id,
      status: u.status,
      created: u.created,
      activated: u.status === 'STAGED' ? null : u.created,
      statusChanged: u.created,
      lastLogin: u.lastLogin,
      lastUpdated: u.created,
      passwordChanged: null,
      type: { id: 'oty1simulatedusertype' },
      profile: u.profile,
      _links: { self: { href: `${baseUrl()}/api/v1/users/${u.id}` } },
    };
  }

  function renderGroup(g: SimGroup, stats: boolean): Record<string, unknown> {
    const appsCount = tenant.apps.filter((a) => a.groups.includes(g.id)).length;
    return {
      id: g.id,
      created: '2023-01-01T00:00:00.000Z',
      lastUpdated: '2023-01-01T00:00:00.000Z',
      lastMembershipUpdated: '2026-11-01T00:00:00.000Z',
      objectClass: [g.type === 'APP_GROUP' ? 'okta:windows_security_principal' : 'okta:user_group'],
      type: g.type,
      profile: { name: g.name, description: g.description },
      _links: { self: { href: `${baseUrl()}/api/v1/groups/${g.id}` } },
      ...(stats ? { _embedded: { stats: { usersCount: g.members.length, appsCount, groupPushMappingsCount: 0, hasAdminPrivilege: g.roles.length > 0 } } } : {}),
    };
  }

  function renderRole(r: SimRole): Record<string, unknown> {
    return {
      id: r.id,
      label: r.label,
      type: r.type,
      status: r.status,
      created: '2024-02-06T16:17:40.000Z',
      lastUpdated: '2024-02-06T16:17:40.000Z',
      assignmentType: r.assignmentType,
      ...(r.role ? { role: r.role, 'resource-set': r.resourceSet } : {}),
    };
  }

  /** A user's roles: direct ones, and those held through groups (assignmentType GROUP). */
  function rolesOf(userId: string): SimRole[] {
    const out = [...(tenant.adminRoles.get(userId) ?? [])];
    for (const g of tenant.groups) if (g.roles.length > 0 && g.members.includes(userId)) out.push(...g.roles);
    return out;
  }

  function listed<T>(
    req: SimRequest,
    all: readonly T[],
    kind: keyof typeof PAGE_LIMITS,
    render: (t: T) => unknown,
    wrap?: (items: unknown[], next?: string) => unknown,
  ): SimResponse {
    const p = page(all, req, kind);
    if (!('items' in p)) return p;
    const self = `${baseUrl()}${req.path}`;
    const params = new URLSearchParams(req.query);
    params.delete('after');
    const nextHref = p.next ? `${self}?${new URLSearchParams([...params, ['after', p.next]])}` : undefined;
    const link = [`<${self}?${params}>; rel="self"`, ...(nextHref ? [`<${nextHref}>; rel="next"`] : [])];
    const items = p.items.map(render);
    return { headers: { link: link.join(', ') }, body: wrap ? wrap(items, nextHref) : items };
  }

  const bodyLinks = (next?: string) => ({ self: { href: 'self' }, ...(next ? { next: { href: next } } : {}) });

  async function tokenEndpoint(req: SimRequest): Promise<SimResponse> {
    const oauthError = (status: number, error: string, description: string): SimResponse => ({ status, body: { error, error_description: description } });
    if (req.form.get('grant_type') !== 'client_credentials')
      return oauthError(400, 'unsupported_grant_type', 'The authorization grant type is not supported by the authorization server.');
    if (req.form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return oauthError(401, 'invalid_client', 'Client authentication failed. Either the client or the client credentials are invalid.');
    const assertion = req.form.get('client_assertion') ?? '';
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(assertion).kid;
    } catch {
      return oauthError(401, 'invalid_client', 'The client_assertion is not a valid JWT.');
    }
    const client = tenant.clients.find((c) => c.keyId === kid);
    if (!client) return oauthError(401, 'invalid_client', 'The client_assertion signature is invalid: no key with this kid is registered.');
    try {
      const { payload } = await jwtVerify(assertion, client.publicKey, {
        audience: `https://${tenant.domain}/oauth2/v1/token`,
        issuer: client.clientId,
        subject: client.clientId,
      });
      if (!payload.jti || usedJti.has(payload.jti)) return oauthError(401, 'invalid_client', 'The client_assertion token has already been used (jti).');
      if (!payload.exp || !payload.iat || payload.exp - payload.iat > 3600)
        return oauthError(401, 'invalid_client', 'The client_assertion token has an invalid expiration.');
      usedJti.add(payload.jti);
    } catch (err) {
      return oauthError(401, 'invalid_client', `The client_assertion signature is invalid (${(err as Error).message}).`);
    }
    const scopes = (req.form.get('scope') ?? '').split(' ').filter(Boolean);
    const denied = scopes.filter((s) => !client.scopes.includes(s));
    if (denied.length > 0) return oauthError(400, 'invalid_scope', `The following scopes are not allowed: ${denied.join(', ')}`);
    const token = `sim-at-${randomUUID()}`;
    issued.set(token, { clientId: client.clientId, scopes });
    return { body: { token_type: 'Bearer', expires_in: 3600, access_token: token, scope: scopes.join(' ') } };
  }

  type Who = { credential: string; clientId?: string; scopes?: string[] };

  function authenticate(req: SimRequest): Who | SimResponse {
    const auth = req.headers.authorization ?? '';
    const [scheme, value] = auth.split(' ', 2);
    if (!value) return oktaError(401, 'E0000005', 'Invalid session');
    if (controls.revoked.has(value)) return oktaError(401, 'E0000011', ERRORS.E0000011);
    if (scheme === 'SSWS' && tenant.apiTokensAccepted.has(value)) return { credential: value };
    const grant = scheme === 'Bearer' ? issued.get(value) : undefined;
    if (grant) return { credential: grant.clientId, clientId: grant.clientId, scopes: grant.scopes };
    return oktaError(401, 'E0000011', ERRORS.E0000011);
  }

  function scopeFor(method: string, path: string): string | undefined {
    const collection = path.split('/')[3];
    const verb = method === 'GET' ? 'read' : 'manage';
    if (path.startsWith('/api/v1/iam/') || /\/roles(\/|$)/.test(path)) return `okta.roles.${verb}`;
    if (collection === 'users') return `okta.users.${verb}`;
    if (collection === 'groups') return `okta.groups.${verb}`;
    if (collection === 'apps') return `okta.apps.${verb}`;
    if (collection === 'api-tokens') return 'okta.apiTokens.read';
    return undefined;
  }

  async function route(req: SimRequest): Promise<SimResponse> {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    try {
      if (controls.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, controls.latencyMs));
      return await answer(req);
    } finally {
      inFlight -= 1;
    }
  }

  async function answer(req: SimRequest): Promise<SimResponse> {
    const { method, path } = req;
    if (method !== 'GET' && record) writes.push({ method, path, json: req.json });
    const fe = forcedErrors.find((f) => f.left > 0 && (!f.pathIncludes || path.includes(f.pathIncludes)) && (!f.method || f.method === method));
    if (fe) {
      fe.left -= 1;
      return oktaError(fe.status, fe.code, fe.summary);
    }
    const bucket = simBucketOf(method, path);
    const forced = forcedLimits.find((f) => f.left > 0 && (!f.pathIncludes || path.includes(f.pathIncludes)));
    if (forced) {
      forced.left -= 1;
      const reset = Date.now() / 1000 + forced.resetInSec;
      return {
        ...oktaError(429, 'E0000047', ERRORS.E0000047),
        headers: rateHeaders(WORKFORCE_LIMITS[bucket], 0, limiter.timeScale === 1 ? Math.ceil(reset) : reset),
      };
    }
    if (path === '/oauth2/v1/token' && method === 'POST') {
      const v = limiter.take('oauth2', req.form.get('client_assertion') ? 'token-endpoint' : 'anonymous');
      if (!v.allowed) return { ...oktaError(429, 'E0000047', ERRORS.E0000047), headers: rateHeaders(v.limit, v.remaining, v.reset) };
      return withHeaders(await tokenEndpoint(req), rateHeaders(v.limit, v.remaining, v.reset));
    }
    const who = authenticate(req);
    if (!('credential' in who)) return who;
    const v = limiter.take(bucket, who.credential);
    // With limits off the org reports none, so a client has nothing to pace by.
    const headers = limiter.enabled ? rateHeaders(v.limit, v.remaining, v.reset) : {};
    if (!v.allowed) return { ...oktaError(429, 'E0000047', ERRORS.E0000047), headers };
    if (who.clientId) {
      const needed = scopeFor(method, path);
      if (needed && !who.scopes?.includes(needed)) return withHeaders(oktaError(403, 'E0000006', ERRORS.E0000006), headers);
      const client = tenant.clients.find((c) => c.clientId === who.clientId);
      if (!client?.adminRole) {
        if (method === 'GET' && path === '/api/v1/users' && controls.noAdminRole === 'empty') return withHeaders({ body: [] }, headers);
        return withHeaders(oktaError(403, 'E0000006', ERRORS.E0000006), headers);
      }
    }
    return withHeaders(serve(req, who), headers);
  }

  function serve(req: SimRequest, who: Who): SimResponse {
    const { method } = req;
    const parts = req.path.replace(/\/+$/, '').split('/').filter(Boolean).slice(2); // after /api/v1
    const [collection, id, sub, subId, sub2, sub2Id] = parts;
    if (parts.length === 0) return notFound('path');

    if (collection === 'org' && method === 'GET') return { body: { id: '00osimulatedorg', subdomain: 'sim', companyName: 'Simulated Org', status: 'ACTIVE' } };

    if (collection === 'users') {
      if (!id) {
        if (method !== 'GET') return oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
        const search = req.query.get('search');
        let all = tenant.users;
        if (search === null) all = all.filter((u) => u.status !== 'DEPROVISIONED');
        else if (search !== 'status pr') {
          const m = /^status eq "([A-Z_]+)"$/.exec(search);
          if (!m) return oktaError(400, 'E0000031', 'Invalid search criteria.');
          all = all.filter((u) => u.status === m[1]);
        }
        return listed(req, all, 'users', renderUser);
      }
      const u = user(id);
      if (!u) return notFound(`User ${id}`);
      if (!sub) return method === 'GET' ? { body: renderUser(u) } : oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
      if (sub === 'roles') {
        if (method === 'GET' && !subId) return { body: rolesOf(id).map(renderRole) };
        if (method === 'POST' && !subId) {
          const type = (req.json as { type?: unknown } | undefined)?.type;
          if (typeof type !== 'string' || type === 'CUSTOM')
            return oktaError(400, 'E0000001', 'Api validation failed: type', ['type: a standard role type is required']);
          const roles = tenant.adminRoles.get(id) ?? [];
          if (roles.some((r) => r.type === type && r.status === 'ACTIVE'))
            return oktaError(409, 'E0000090', 'The role specified is already assigned to the user.');
          const r: SimRole = { id: `ra1${randomUUID().replace(/-/g, '').slice(0, 17)}`, type, label: type, status: 'ACTIVE', assignmentType: 'USER' };
          tenant.adminRoles.set(id, [...roles, r]);
          return { status: 201, body: renderRole(r) };
        }
        if (method === 'DELETE' && subId) {
          const roles = tenant.adminRoles.get(id) ?? [];
          if (!roles.some((r) => r.id === subId)) return notFound(`Role assignment ${subId}`);
          tenant.adminRoles.set(
            id,
            roles.filter((r) => r.id !== subId),
          );
          return { status: 204, raw: '' };
        }
      }
      if (sub === 'groups' && method === 'GET')
        return listed(
          req,
          tenant.groups.filter((g) => g.members.includes(id)),
          'userGroups',
          (g) => renderGroup(g, false),
        );
      if (sub === 'lifecycle' && method === 'POST') {
        const next: Record<string, [string[], string]> = {
          suspend: [['ACTIVE'], 'SUSPENDED'],
          unsuspend: [['SUSPENDED'], 'ACTIVE'],
          activate: [['STAGED', 'PROVISIONED', 'DEPROVISIONED'], 'ACTIVE'],
        };
        const step = next[subId ?? ''];
        if (!step) return notFound(`Lifecycle operation ${subId}`);
        if (!step[0].includes(u.status)) return oktaError(400, 'E0000001', `Api validation failed: ${subId}`, [`Cannot ${subId} a user that is ${u.status}`]);
        u.status = step[1];
        return { body: {} };
      }
      return notFound(req.path);
    }

    if (collection === 'groups') {
      if (!id) {
        if (method !== 'GET') return oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
        const stats = (req.query.get('expand') ?? '').split(',').includes('stats');
        return listed(req, tenant.groups, 'groups', (g) => renderGroup(g, stats));
      }
      const g = group(id);
      if (!g) return notFound(`Group ${id}`);
      if (!sub) return { body: renderGroup(g, true) };
      if (sub === 'users') {
        if (method === 'GET' && !subId)
          return listed(
            req,
            g.members.map(user).filter((u): u is SimUser => !!u),
            'groupUsers',
            renderUser,
          );
        if (!subId || !user(subId)) return notFound(`User ${subId}`);
        if (g.type !== 'OKTA_GROUP') return oktaError(403, 'E0000056', `Delete or modify of a ${g.type} group membership is not allowed.`);
        if (method === 'PUT') {
          if (!g.members.includes(subId)) g.members.push(subId);
          return { status: 204, raw: '' };
        }
        if (method === 'DELETE') {
          g.members = g.members.filter((m) => m !== subId);
          return { status: 204, raw: '' };
        }
      }
      if (sub === 'roles') {
        if (method === 'GET' && !subId) return { body: g.roles.map(renderRole) };
        if (method === 'POST' && !subId) {
          const type = (req.json as { type?: unknown } | undefined)?.type;
          if (typeof type !== 'string' || type === 'CUSTOM')
            return oktaError(400, 'E0000001', 'Api validation failed: type', ['type: a standard role type is required']);
          if (g.roles.some((r) => r.type === type && r.status === 'ACTIVE'))
            return oktaError(409, 'E0000090', 'The role specified is already assigned to the group.');
          const r: SimRole = { id: `gra${randomUUID().replace(/-/g, '').slice(0, 17)}`, type, label: type, status: 'ACTIVE', assignmentType: 'GROUP' };
          g.roles.push(r);
          return { status: 201, body: renderRole(r) };
        }
        if (method === 'DELETE' && subId) {
          if (!g.roles.some((r) => r.id === subId)) return notFound(`Role assignment ${subId}`);
          g.roles = g.roles.filter((r) => r.id !== subId);
          return { status: 204, raw: '' };
        }
      }
      return notFound(req.path);
    }

    if (collection === 'apps') {
      if (!id) {
        if (method !== 'GET') return oktaError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
        const filter = req.query.get('filter');
        let all = tenant.apps;
        if (filter !== null) {
          const m = /^status eq "(ACTIVE|INACTIVE)"$/.exec(filter);
          if (!m) return oktaError(400, 'E0000031', 'Invalid search criteria.');
          all = all.filter((a) => a.status === m[1]);
        }
        return listed(req, all, 'apps', (a) => ({
          id: a.id,
          name: a.label.toLowerCase().replace(/\s+/g, '_'),
          label: a.label,
          status: a.status,
          signOnMode: a.signOnMode,
          created: '2023-01-01T00:00:00.000Z',
        }));
      }
      const a = app(id);
      if (!a) return notFound(`App ${id}`);
      if (sub === 'users') {
        if (method === 'GET' && !subId)
          return listed(req, a.users, 'appUsers', (u) => ({ id: u.id, scope: u.scope, status: 'ACTIVE', profile: user(u.id)?.profile ?? {} }));
        if (method === 'POST' && !subId) {
          const body = req.json as { id?: unknown } | undefined;
          const uid = typeof body?.id === 'string' ? body.id : '';
          if (!user(uid)) return notFound(`User ${uid}`);
          if (!a.users.some((u) => u.id === uid)) a.users.push({ id: uid, scope: 'USER' });
          return { body: { id: uid, scope: 'USER', status: 'ACTIVE' } };
        }
        const held = a.users.find((u) => u.id === subId);
        if (method === 'GET') return held ? { body: { id: held.id, scope: held.scope, profile: user(held.id)?.profile ?? {} } } : notFound(`App user ${subId}`);
        if (method === 'DELETE') {
          if (!held) return notFound(`App user ${subId}`);
          a.users = a.users.filter((u) => u.id !== subId);
          return { status: 204, raw: '' };
        }
      }
      if (sub === 'groups') {
        if (method === 'GET' && !subId) return listed(req, a.groups, 'appGroups', (gid) => ({ id: gid, priority: 0 }));
        const held = subId !== undefined && a.groups.includes(subId);
        if (method === 'GET') return held ? { body: { id: subId, priority: 0 } } : notFound(`App group ${subId}`);
        if (method === 'PUT') {
          if (!subId || !group(subId)) return notFound(`Group ${subId}`);
          if (!held) a.groups.push(subId);
          return { body: { id: subId, priority: 0 } };
        }
        if (method === 'DELETE') {
          if (!held) return notFound(`App group ${subId}`);
          a.groups = a.groups.filter((x) => x !== subId);
          return { status: 204, raw: '' };
        }
      }
      return notFound(req.path);
    }

    if (collection === 'iam') {
      if (id === 'assignees' && sub === 'users' && method === 'GET') {
        const admins = tenant.users.filter((u) => (tenant.adminRoles.get(u.id)?.length ?? 0) > 0);
        return listed(
          req,
          admins,
          'assignees',
          (u) => ({ id: u.id, orn: `orn:okta:directory:00osimulatedorg:users:${u.id}`, _links: { self: { href: `${baseUrl()}/api/v1/users/${u.id}` } } }),
          (value, next) => ({ value, _links: bodyLinks(next) }),
        );
      }
      if (id === 'roles' && method === 'GET' && !sub) {
        return bodyPaged(req, tenant.customRoles, (r) => ({ id: r.id, label: r.label, description: r.description }), 'roles');
      }
      if (id === 'resource-sets') {
        if (!sub && !subId && parts.length === 2 && method === 'GET') {
          return bodyPaged(req, tenant.resourceSets, (rs) => ({ id: rs.id, label: rs.label, description: rs.description }), 'resource-sets');
        }
        const rs = tenant.resourceSets.find((r) => r.id === sub);
        if (!rs) return notFound(`Resource set ${sub}`);
        if (subId === 'bindings') {
          if (!sub2 && method === 'GET')
            return bodyPaged(
              req,
              rs.bindings,
              (b) => ({ id: b.role, _links: { self: { href: `${baseUrl()}/api/v1/iam/resource-sets/${rs.id}/bindings/${b.role}` } } }),
              'roles',
            );
          if (!sub2 && method === 'POST') {
            const body = req.json as { role?: unknown; members?: unknown } | undefined;
            const role = typeof body?.role === 'string' ? body.role : '';
            if (!tenant.customRoles.some((r) => r.id === role)) return notFound(`Role ${role}`);
            const members = Array.isArray(body?.members) ? body.members.filter((m): m is string => typeof m === 'string') : [];
            let b = rs.bindings.find((x) => x.role === role);
            if (!b) rs.bindings.push((b = { role, members: [] }));
            for (const href of members)
              if (!b.members.some((m) => m.href === href)) b.members.push({ id: `irb${randomUUID().replace(/-/g, '').slice(0, 17)}`, href });
            return { body: { _links: { self: { href: `${baseUrl()}/api/v1/iam/resource-sets/${rs.id}/bindings/${role}` } } } };
          }
          const b = rs.bindings.find((x) => x.role === sub2);
          if (!b) return notFound(`Binding ${sub2}`);
          if (!sub2Id && method === 'DELETE') {
            rs.bindings = rs.bindings.filter((x) => x !== b);
            return { status: 204, raw: '' };
          }
          if (sub2Id === 'members') {
            const memberId = parts[6];
            if (!memberId && method === 'GET') return bodyPaged(req, b.members, (m) => ({ id: m.id, _links: { self: { href: m.href } } }), 'members');
            if (memberId && method === 'DELETE') {
              if (!b.members.some((m) => m.id === memberId)) return notFound(`Member ${memberId}`);
              b.members = b.members.filter((m) => m.id !== memberId);
              return { status: 204, raw: '' };
            }
          }
        }
      }
      return notFound(req.path);
    }

    if (collection === 'api-tokens' && method === 'GET' && !id) {
      if (who.clientId && !who.scopes?.includes('okta.apiTokens.read')) return oktaError(403, 'E0000006', ERRORS.E0000006);
      return listed(req, tenant.apiTokens, 'apiTokens', (t) => ({ ...t, clientName: 'Okta API', tokenWindow: 'P30D', network: { connection: 'ANYWHERE' } }));
    }
    return notFound(req.path);
  }

  /** The IAM lists: pages announced in the body's `_links.next` only. */
  function bodyPaged<T>(req: SimRequest, all: readonly T[], render: (t: T) => unknown, key: string): SimResponse {
    const p = page(all, req, 'iam');
    if (!('items' in p)) return p;
    const next = p.next ? `${baseUrl()}${req.path}?after=${p.next}` : undefined;
    return { body: { [key]: p.items.map(render), _links: bodyLinks(next) } };
  }

  return { route, controls };
}

function rateHeaders(limit: number, remaining: number, reset: number): Record<string, string> {
  return { 'x-rate-limit-limit': String(limit), 'x-rate-limit-remaining': String(remaining), 'x-rate-limit-reset': String(reset) };
}

function withHeaders(res: SimResponse, headers: Record<string, string>): SimResponse {
  return { ...res, headers: { ...headers, ...res.headers } };
}
