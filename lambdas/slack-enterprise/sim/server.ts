// The Enterprise Grid Web API methods and SCIM endpoints the connector calls, answered from an org
// with Slack's auth and scope rules, cursor/startIndex paging, `ok:false` errors, each method's
// tier (per workspace where Slack counts per workspace) and SCIM's org-wide buckets.
import type { SimRateLimiter, SimRequest, SimResponse } from '../../../shared/sim/kit.ts';
import { GRID_METHODS, SCIM_LIMITS, type SimLimit } from '../../../shared/slack/sim/limits.ts';
import { cursorPage, patchOps, scimError, scimList, scimRateLimited, webRateLimited } from '../../../shared/slack/sim/paging.ts';
import { routeSlack } from '../../../shared/slack/sim/route.ts';
import type { GridTenant, GridUser, TeamRole } from './tenant.ts';

export type RateLimitForm = '429' | 'ok-false';

/** Switches tests flip while the simulator runs. */
export interface GridSimControls {
  tenant: GridTenant;
  revoked: Set<string>;
  rateLimitForm: RateLimitForm;
  forceRateLimit(options: { times?: number; form?: RateLimitForm; retryAfterSec?: number; method?: string }): void;
  forceError(options: { method: string; error: string; times?: number; needed?: string }): void;
  /** Called after each successful write, e.g. to make a concurrent change between a read and a check. */
  afterWrite: ((method: string) => void) | undefined;
  /** Web API calls by method (successful or not), for tests that count work. */
  readonly counts: Map<string, number>;
  /** Calls each rate-limit bucket let through (`web:<method>[:<team>]`, `scim:<bucket>`): what the limits' floor is computed from. */
  readonly served: Map<string, number>;
  /** Calls refused for a rate limit (forced or by a bucket). */
  refused: number;
}

interface Forced {
  left: number;
  form: RateLimitForm;
  retryAfterSec: number;
  method: string | undefined;
}

export function createGridRoute(tenant: GridTenant, limiter: SimRateLimiter): { route: (req: SimRequest) => SimResponse; controls: GridSimControls } {
  const forced: Forced[] = [];
  const forcedErrors: { left: number; method: string; error: string; needed?: string }[] = [];
  const counts = new Map<string, number>();
  const served = new Map<string, number>();
  const controls: GridSimControls = {
    tenant,
    served,
    refused: 0,
    revoked: new Set(),
    rateLimitForm: '429',
    counts,
    afterWrite: undefined,
    forceRateLimit(o) {
      forced.push({ left: o.times ?? 1, form: o.form ?? controls.rateLimitForm, retryAfterSec: o.retryAfterSec ?? 1, method: o.method });
    },
    forceError(o) {
      forcedErrors.push({ left: o.times ?? 1, method: o.method, error: o.error, needed: o.needed });
    },
  };

  const userById = new Map<string, GridUser>();
  for (const u of tenant.users) userById.set(u.id, u);
  // users.list order per workspace: a stable index, rebuilt when a write changes membership.
  let membersByTeam: Map<string, { id: string; user?: GridUser }[]> | undefined;
  const teamMembers = (team: string) => {
    if (!membersByTeam) {
      membersByTeam = new Map(tenant.teams.map((t) => [t.id, []]));
      for (const u of tenant.users) for (const t of u.teams.keys()) membersByTeam.get(t)?.push({ id: u.id, user: u });
      for (const s of tenant.strangers) membersByTeam.get(s.team)?.push({ id: s.id });
    }
    return membersByTeam.get(team) ?? [];
  };
  const orgUsers = (active: boolean) => tenant.users.filter((u) => !u.deactivated === active);
  const scimUsers = () => tenant.users.filter((u) => !u.is_bot);

  const take = (key: string, limit: SimLimit) => {
    const wait = limiter.take(key, limit.perMinute, limit.burst);
    if (wait > 0) controls.refused += 1;
    else served.set(key, (served.get(key) ?? 0) + 1);
    return wait;
  };

  function web(req: SimRequest, method: string): SimResponse {
    counts.set(method, (counts.get(method) ?? 0) + 1);
    const params = new URLSearchParams(req.query);
    for (const [k, v] of req.form) params.set(k, v);
    const json = (req.json ?? {}) as Record<string, unknown>;
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : params.get('token');
    const fail = (error: string, extra: Record<string, unknown> = {}): SimResponse => ({ body: { ok: false, error, ...extra } });
    if (!token) return fail('not_authed');
    const grant = tenant.tokens[token];
    if (!grant) return fail('invalid_auth');
    if (controls.revoked.has(token)) return fail('token_revoked');
    const spec = GRID_METHODS[method];
    if (!spec) return { status: 404, body: { ok: false, error: 'unknown_method', req_method: method } };
    if (spec.token === 'user' && grant.kind !== 'user') return fail('not_allowed_token_type');
    if (spec.scopes.length > 0 && !spec.scopes.some((s) => grant.scopes.includes(s))) {
      return fail('missing_scope', { needed: spec.scopes.join(','), provided: grant.scopes.join(',') });
    }
    const fe = forcedErrors.find((f) => f.left > 0 && f.method === method);
    if (fe) {
      fe.left -= 1;
      return fail(fe.error, fe.needed ? { needed: fe.needed } : {});
    }
    const fr = forced.find((f) => f.left > 0 && (!f.method || f.method === method));
    if (fr) {
      fr.left -= 1;
      controls.refused += 1;
      return webRateLimited(fr.form, fr.retryAfterSec);
    }
    const teamParam = params.get('team_id') ?? '';
    const wait = take(spec.perTeam ? `web:${method}:${teamParam}` : `web:${method}`, spec.limit);
    if (wait > 0) return webRateLimited(controls.rateLimitForm, wait);
    const teamKnown = (id: string) => tenant.teams.some((t) => t.id === id);
    const written = (body: Record<string, unknown> = {}): SimResponse => {
      membersByTeam = undefined;
      controls.afterWrite?.(method);
      return { body: { ok: true, ...body } };
    };

    switch (method) {
      case 'auth.test': {
        const enterpriseId = tenant.tokenEnterprise?.[token] ?? tenant.enterpriseId;
        return {
          body: {
            ok: true,
            url: 'https://grid-sim.enterprise.slack.test/',
            team: tenant.teams[0]?.name ?? '',
            user_id: grant.userId,
            team_id: tenant.enterpriseId || tenant.teams[0]?.id || '',
            ...(grant.botId ? { bot_id: grant.botId } : {}),
            ...(enterpriseId ? { enterprise_id: enterpriseId, is_enterprise_install: true } : { is_enterprise_install: false }),
          },
        };
      }
      case 'auth.teams.list': {
        const page = cursorPage(tenant.teams, params, 1000);
        if ('error' in page) return fail(page.error);
        return { body: { ok: true, teams: page.items.map((t) => ({ id: t.id, name: t.name })), response_metadata: { next_cursor: page.next } } };
      }
      case 'admin.users.list': {
        if (Number(params.get('limit') ?? '100') > 1000) return fail('invalid_limit');
        let list = orgUsers(params.get('is_active') !== 'false');
        if (params.get('include_admins') === 'true' || params.get('include_owners') === 'true') {
          const admins = params.get('include_admins') === 'true';
          const owners = params.get('include_owners') === 'true';
          list = list.filter((u) => (admins && u.org === 'admin') || (owners && (u.org === 'owner' || u.org === 'primary_owner')));
        }
        if (teamParam) list = list.filter((u) => u.teams.has(teamParam));
        const page = cursorPage(list, params, 1000);
        if ('error' in page) return fail(page.error);
        return { body: { ok: true, users: page.items.map(renderAdminUser), response_metadata: { next_cursor: page.next } } };
      }
      case 'users.list': {
        if (!teamParam) return fail('missing_argument');
        if (!teamKnown(teamParam)) return fail('team_access_not_granted');
        const all = teamMembers(teamParam);
        if (!params.get('limit') && all.length > 1000) return fail('limit_required');
        const page = cursorPage(all, params, 1000);
        if ('error' in page) return fail(page.error);
        return { body: { ok: true, members: page.items.map((m) => renderMember(m.id, teamParam, m.user)), response_metadata: { next_cursor: page.next } } };
      }
      case 'users.info': {
        const u = userById.get(params.get('user') ?? '');
        if (!u) return fail('user_not_found');
        const team = u.teams.keys().next().value ?? '';
        return { body: { ok: true, user: renderMember(u.id, team, u) } };
      }
      case 'usergroups.list': {
        const groups = tenant.userGroups.filter((g) => g.team_id === teamParam && (params.get('include_disabled') === 'true' || !g.disabled));
        const withUsers = params.get('include_users') === 'true';
        const withCount = params.get('include_count') === 'true';
        return {
          body: {
            ok: true,
            usergroups: groups.map((g) => ({
              id: g.id,
              team_id: g.team_id,
              name: g.name,
              handle: g.handle,
              is_usergroup: true,
              date_delete: g.disabled ? 1700000001 : 0,
              ...(withUsers ? { users: [...g.users] } : {}),
              ...(withCount ? { user_count: g.users.length } : {}),
            })),
          },
        };
      }
      case 'usergroups.users.list': {
        const g = tenant.userGroups.find((x) => x.id === params.get('usergroup'));
        if (!g || g.disabled) return fail('no_such_subteam');
        return { body: { ok: true, users: [...g.users] } };
      }
      case 'usergroups.users.update': {
        const g = tenant.userGroups.find((x) => x.id === params.get('usergroup'));
        if (!g || g.disabled) return fail('no_such_subteam');
        const ids = (params.get('users') ?? '').split(',').filter(Boolean);
        if (ids.length === 0) return fail('invalid_users');
        if (ids.some((id) => !userById.has(id))) return fail('invalid_users');
        g.users = ids;
        return written({ usergroup: { id: g.id, users: [...ids] } });
      }
      case 'admin.teams.admins.list':
      case 'admin.teams.owners.list': {
        if (!teamKnown(teamParam)) return fail('team_not_found');
        const want = method === 'admin.teams.admins.list' ? (r: TeamRole) => r === 'admin' : (r: TeamRole) => r === 'owner' || r === 'primary_owner';
        const ids = tenant.users.filter((u) => !u.deactivated && want(u.teams.get(teamParam) ?? 'regular') && u.teams.has(teamParam)).map((u) => u.id);
        const page = cursorPage(ids, params, 1000);
        if ('error' in page) return fail(page.error);
        const key = method === 'admin.teams.admins.list' ? 'admin_ids' : 'owner_ids';
        return { body: { ok: true, [key]: page.items, response_metadata: { next_cursor: page.next } } };
      }
      case 'admin.users.assign':
      case 'admin.users.remove':
      case 'admin.users.setOwner':
      case 'admin.users.setAdmin':
      case 'admin.users.setRegular': {
        const u = userById.get(params.get('user_id') ?? '');
        if (!teamKnown(teamParam)) return fail('team_not_found');
        if (!u) return fail('user_not_found');
        const current = u.teams.get(teamParam);
        if (method === 'admin.users.assign') {
          if (current) return fail('user_already_team_member');
          u.teams.set(teamParam, 'regular');
          return written();
        }
        if (!current) return fail(method === 'admin.users.remove' ? 'user_already_deleted' : 'user_not_found');
        if (current === 'primary_owner') return fail('cannot_modify_primary_owner');
        if (method === 'admin.users.remove') u.teams.delete(teamParam);
        else u.teams.set(teamParam, method === 'admin.users.setOwner' ? 'owner' : method === 'admin.users.setAdmin' ? 'admin' : 'regular');
        return written();
      }
      case 'admin.roles.listAssignments': {
        const limit = Number(params.get('limit') ?? '200');
        if (limit < 1 || limit > 200) return fail('invalid_limit');
        const roles = (params.get('role_ids') ?? '').split(',').filter(Boolean);
        const list = roles.length ? tenant.roleAssignments.filter((a) => roles.includes(a.role_id)) : tenant.roleAssignments;
        const page = cursorPage(list, params, 200);
        if ('error' in page) return fail(page.error);
        return {
          body: { ok: true, role_assignments: page.items.map((a) => ({ ...a, date_create: 1700000000 })), response_metadata: { next_cursor: page.next } },
        };
      }
      case 'admin.roles.addAssignments':
      case 'admin.roles.removeAssignments': {
        // JSON only here: the arrays are what the connector sends, the same way for both.
        const roleId = typeof json.role_id === 'string' ? json.role_id : '';
        const userIds = Array.isArray(json.user_ids) ? json.user_ids.map(String) : [];
        const entities = Array.isArray(json.entity_ids) ? json.entity_ids.map(String) : [];
        if (!roleId || userIds.length === 0 || entities.length === 0) return fail('invalid_arguments');
        if (entities.length > 10) return fail('too_many_entities');
        if (userIds.some((id) => !userById.has(id))) return fail('failed_for_some_users');
        if (method === 'admin.roles.addAssignments') {
          for (const user_id of userIds)
            for (const entity_id of entities)
              if (!tenant.roleAssignments.some((a) => a.role_id === roleId && a.user_id === user_id && a.entity_id === entity_id))
                tenant.roleAssignments.push({ role_id: roleId, entity_id, user_id });
        } else {
          tenant.roleAssignments = tenant.roleAssignments.filter(
            (a) => !(a.role_id === roleId && userIds.includes(a.user_id) && entities.includes(a.entity_id)),
          );
        }
        return written();
      }
    }
    return fail('unknown_method');
  }

  function scim(req: SimRequest, rest: string[]): SimResponse {
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const grant = token ? tenant.tokens[token] : undefined;
    if (!token || !grant || controls.revoked.has(token)) return scimError(401, 'invalid_authentication');
    if (!grant.scopes.includes('admin')) return scimError(403, 'missing_scope: admin');
    const [collection, id] = rest;
    const keys: [string, SimLimit][] = [req.method === 'GET' ? ['scim:read', SCIM_LIMITS.read] : ['scim:write', SCIM_LIMITS.write]];
    if (req.method === 'GET' && id) keys.push(['scim:read-by-id', SCIM_LIMITS.readById]);
    if (req.method !== 'GET' && collection === 'Groups') keys.push(['scim:patch-group', SCIM_LIMITS.patchGroup]);
    if (req.method !== 'GET' && collection === 'Users') keys.push(['scim:write-user', SCIM_LIMITS.writeUser]);
    const fr = forced.find((f) => f.left > 0 && f.method === 'scim');
    if (fr) {
      fr.left -= 1;
      controls.refused += 1;
      return scimRateLimited(fr.retryAfterSec);
    }
    for (const [key, limit] of keys) {
      const wait = take(key, limit);
      if (wait > 0) return scimRateLimited(wait);
    }
    if (collection === 'Users') {
      if (!id && req.method === 'GET') return scimList(scimUsers(), req, renderScimUser);
      const u = id ? userById.get(id) : undefined;
      if (!u || u.is_bot) return scimError(404, 'user_not_found');
      if (req.method === 'GET') return { body: renderScimUser(u) };
      if (req.method === 'DELETE') {
        u.deactivated = true;
        membersByTeam = undefined;
        return { status: 204, raw: '' };
      }
      if (req.method === 'PATCH') {
        for (const op of patchOps(req.json)) if (op.path === 'active' && op.op.toLowerCase() === 'replace') u.deactivated = op.value !== true;
        membersByTeam = undefined;
        return { body: renderScimUser(u) };
      }
    }
    if (collection === 'Groups') {
      if (!id && req.method === 'GET')
        return scimList(tenant.idpGroups, req, (g) => ({ id: g.id, displayName: g.displayName, members: g.members.map((value) => ({ value })) }));
      const g = tenant.idpGroups.find((x) => x.id === id);
      if (!g) return scimError(404, 'group_not_found');
      if (req.method === 'GET') return { body: { id: g.id, displayName: g.displayName, members: g.members.map((value) => ({ value })) } };
      if (req.method === 'PATCH') {
        for (const op of patchOps(req.json)) {
          if (op.path !== 'members' || !Array.isArray(op.value)) return scimError(400, 'invalid_patch');
          const values = op.value.map((v: { value?: unknown }) => String(v.value));
          if (op.op.toLowerCase() === 'add') {
            const unknown = values.find((v) => !userById.has(v) || userById.get(v)?.is_bot);
            if (unknown !== undefined) return scimError(404, `user_not_found: ${unknown}`);
            for (const v of values) if (!g.members.includes(v)) g.members.push(v);
          } else if (op.op.toLowerCase() === 'remove') g.members = g.members.filter((m) => !values.includes(m));
          else return scimError(400, `unsupported op ${op.op}`);
        }
        controls.afterWrite?.('scim PATCH Groups');
        return { status: 204, raw: '' };
      }
    }
    return scimError(404, 'not_found');
  }

  return { route: (req: SimRequest) => routeSlack(req, web, scim), controls };
}

function renderAdminUser(u: GridUser): Record<string, unknown> {
  return {
    id: u.id,
    email: u.email,
    username: u.username,
    full_name: u.fullName,
    is_active: !u.deactivated,
    is_admin: u.org === 'admin',
    is_owner: u.org === 'owner' || u.org === 'primary_owner',
    is_primary_owner: u.org === 'primary_owner',
    is_restricted: u.is_restricted ?? false,
    is_ultra_restricted: u.is_ultra_restricted ?? false,
    is_bot: u.is_bot ?? false,
    ...(u.has_2fa !== undefined ? { has_2fa: u.has_2fa } : {}),
    date_created: 1700000000,
    workspaces: [...u.teams.keys()],
  };
}

function renderMember(id: string, team: string, u: GridUser | undefined): Record<string, unknown> {
  if (!u) return { id, team_id: 'TEXTERNAL', name: `external-${id}`, deleted: false, is_stranger: true, profile: { team: 'TEXTERNAL' } };
  const role = u.teams.get(team) ?? 'regular';
  return {
    id: u.id,
    team_id: team,
    name: u.username,
    deleted: u.deactivated ?? false,
    real_name: u.fullName,
    profile: { real_name: u.fullName, email: u.email, team },
    is_admin: role !== 'regular',
    is_owner: role === 'owner' || role === 'primary_owner',
    is_primary_owner: role === 'primary_owner',
    is_restricted: u.is_restricted ?? false,
    is_ultra_restricted: u.is_ultra_restricted ?? false,
    is_bot: u.is_bot ?? false,
    ...(u.is_invited_user ? { is_invited_user: true } : {}),
    enterprise_user: {
      id: u.id,
      enterprise_id: 'E00000001',
      is_admin: u.org === 'admin',
      is_owner: u.org === 'owner' || u.org === 'primary_owner',
      is_primary_owner: u.org === 'primary_owner',
      teams: [...u.teams.keys()],
    },
  };
}

function renderScimUser(u: GridUser): Record<string, unknown> {
  const [first, ...rest] = u.fullName.split(' ');
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: u.id,
    userName: u.username,
    displayName: u.fullName,
    name: { givenName: first ?? '', familyName: rest.join(' ') },
    active: !u.deactivated,
    emails: [{ value: u.email, primary: true }],
  };
}
