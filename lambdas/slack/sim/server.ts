// The Slack Web API methods and SCIM endpoints the connector calls, answered from a tenant with
// Slack's auth rules, cursor/startIndex paging, `ok:false` errors and tier rate limits.
import type { SimRateLimiter, SimRequest, SimResponse } from '../../../shared/sim/kit.ts';
import { SCIM_LIMITS, type SimLimit, WEB_METHODS } from '../../../shared/slack/sim/limits.ts';
import { cursorPage, patchOps, scimError, scimList, webRateLimited } from '../../../shared/slack/sim/paging.ts';
import { routeSlack } from '../../../shared/slack/sim/route.ts';
import { type SimIdpGroup, type SimUser, type SimUserGroup, type SlackTenant, workspacesOf } from './tenant.ts';

export type RateLimitForm = '429' | 'ok-false';

/** Switches tests flip while the simulator runs. */
export interface SlackSimControls {
  tenant: SlackTenant;
  /** Tokens Slack has revoked: Web API `token_revoked`, SCIM 401. */
  revoked: Set<string>;
  /** The installing account was deactivated: every Web API call answers `account_inactive`. */
  accountInactive: boolean;
  /** How a refused call is answered: HTTP 429, or HTTP 200 `{"ok":false,"error":"ratelimited"}`. */
  rateLimitForm: RateLimitForm;
  /** Refuse the next calls regardless of the buckets (e.g. to test Retry-After handling). */
  forceRateLimit(options: { times?: number; form?: RateLimitForm; retryAfterSec?: number; method?: string }): void;
  /** Answer `ok:false` with this error for the next calls of a method. */
  forceError(options: { method: string; error: string; times?: number; needed?: string }): void;
  /** usergroups.list ignores include_users (so each group's members need usergroups.users.list). */
  userGroupsListWithoutUsers: boolean;
  /**
   * usergroups.list embeds at most this many members per group (user_count stays true), as Slack
   * may for very large groups; usergroups.users.list still returns all of them.
   */
  userGroupsListUsersCap: number | undefined;
  /** SCIM GET /Groups leaves out `members` (so each group needs GET /Groups/{id}). */
  scimGroupListWithoutMembers: boolean;
  /** Every request with its parameters (token left out), when the simulator records calls. */
  readonly requests: SimLoggedRequest[];
}

export interface SimLoggedRequest {
  api: 'web' | 'scim';
  /** Web API method, or `METHOD /Collection[/id]` for SCIM. */
  method: string;
  params: Record<string, string>;
  json?: unknown;
}

interface Forced {
  left: number;
  form: RateLimitForm;
  retryAfterSec: number;
  method: string | undefined;
}

interface ForcedError {
  left: number;
  method: string;
  error: string;
  needed: string | undefined;
}

export function createSlackRoute(
  tenant: SlackTenant,
  limiter: SimRateLimiter,
  record = true,
): { route: (req: SimRequest) => SimResponse; controls: SlackSimControls } {
  const forced: Forced[] = [];
  const forcedErrors: ForcedError[] = [];
  const requests: SimLoggedRequest[] = [];
  const controls: SlackSimControls = {
    tenant,
    requests,
    userGroupsListWithoutUsers: false,
    userGroupsListUsersCap: undefined,
    scimGroupListWithoutMembers: false,
    revoked: new Set(),
    accountInactive: false,
    rateLimitForm: '429',
    forceRateLimit(o) {
      forced.push({ left: o.times ?? 1, form: o.form ?? controls.rateLimitForm, retryAfterSec: o.retryAfterSec ?? 1, method: o.method });
    },
    forceError(o) {
      forcedErrors.push({ left: o.times ?? 1, method: o.method, error: o.error, needed: o.needed });
    },
  };

  // Indexes built once; tests that mutate the tenant afterwards mutate the same objects.
  const userById = new Map<string, SimUser>();
  for (const u of tenant.users) userById.set(u.id, u);
  const usersByTeam = new Map<string, SimUser[]>();
  for (const u of tenant.users) {
    for (const teamId of workspacesOf(u)) {
      const list = usersByTeam.get(teamId) ?? [];
      list.push(u);
      usersByTeam.set(teamId, list);
    }
  }
  const scimUsers = tenant.users.filter((u) => u.scimActive !== undefined);

  function take(key: string, limit: SimLimit): number {
    return limiter.take(key, limit.perMinute, limit.burst);
  }

  function web(req: SimRequest, method: string): SimResponse {
    const params = new URLSearchParams(req.query);
    for (const [k, v] of req.form) params.set(k, v);
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : params.get('token');
    if (record) {
      const logged = Object.fromEntries(params);
      delete logged.token;
      requests.push({ api: 'web', method, params: logged });
    }
    const fail = (error: string, extra: Record<string, unknown> = {}): SimResponse => ({ body: { ok: false, error, ...extra } });
    if (!token) return fail('not_authed');
    const grant = tenant.tokens[token];
    if (!grant) return fail('invalid_auth');
    if (controls.revoked.has(token)) return fail('token_revoked');
    if (controls.accountInactive) return fail('account_inactive');
    const spec = WEB_METHODS[method];
    if (!spec) return { status: 404, body: { ok: false, error: 'unknown_method', req_method: method } };
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
      return webRateLimited(fr.form, fr.retryAfterSec);
    }
    const wait = take(`web:${method}`, spec.limit);
    if (wait > 0) return webRateLimited(controls.rateLimitForm, wait);

    switch (method) {
      case 'auth.test': {
        const team = tenant.teams[0];
        return {
          body: {
            ok: true,
            url: 'https://sim.slack.test/',
            team: team?.name ?? '',
            user: userById.get(grant.userId)?.name ?? 'bot',
            team_id: team?.id ?? '',
            user_id: grant.userId,
            ...(grant.botId ? { bot_id: grant.botId } : {}),
            is_enterprise_install: false,
          },
        };
      }
      case 'users.info': {
        const u = userById.get(params.get('user') ?? '');
        if (!u || u.hiddenFromBot) return fail('user_not_found');
        return { body: { ok: true, user: renderUser(u) } };
      }
      case 'auth.teams.list': {
        const page = cursorPage(tenant.teams, params, 100);
        if ('error' in page) return fail(page.error);
        return {
          body: {
            ok: true,
            teams: page.items.map((t) => ({ id: t.id, name: t.name, ...(t.domain ? { domain: t.domain } : {}) })),
            response_metadata: { next_cursor: page.next },
          },
        };
      }
      case 'users.list': {
        const teamId = params.get('team_id') || tenant.teams[0]?.id || '';
        if (!tenant.teams.some((t) => t.id === teamId)) return fail('team_access_not_granted');
        const all = usersByTeam.get(teamId) ?? [];
        // Without a limit Slack tries to return everything and refuses large teams.
        if (!params.get('limit') && all.length > 1000) return fail('limit_required');
        // Slack: "fewer than the requested number of items may be returned". Some pages here are.
        const page = cursorPage(all, params, 1000, true);
        if ('error' in page) return fail(page.error);
        return { body: { ok: true, members: page.items.map(renderUser), cache_ts: 1700000000, response_metadata: { next_cursor: page.next } } };
      }
      case 'usergroups.list': {
        const teamId = params.get('team_id') || tenant.teams[0]?.id || '';
        const includeDisabled = params.get('include_disabled') === 'true';
        const includeUsers = params.get('include_users') === 'true' && !controls.userGroupsListWithoutUsers;
        const includeCount = params.get('include_count') === 'true';
        const groups = tenant.userGroups.filter((g) => g.team_id === teamId && (includeDisabled || !g.disabled));
        return { body: { ok: true, usergroups: groups.map((g) => renderUserGroup(g, includeUsers, includeCount, controls.userGroupsListUsersCap)) } };
      }
      case 'usergroups.users.list': {
        const g = tenant.userGroups.find((x) => x.id === params.get('usergroup'));
        if (!g || (g.disabled && params.get('include_disabled') !== 'true')) return fail('no_such_subteam');
        return { body: { ok: true, users: [...g.users] } };
      }
      case 'team.info': {
        const team = tenant.teams.find((t) => t.id === (params.get('team') || tenant.teams[0]?.id));
        if (!team) return fail('team_not_found');
        return { body: { ok: true, team: { id: team.id, name: team.name, domain: team.domain ?? '' } } };
      }
    }
    return fail('unknown_method');
  }

  function scim(req: SimRequest, rest: string[]): SimResponse {
    if (record) requests.push({ api: 'scim', method: `${req.method} /${rest.join('/')}`, params: Object.fromEntries(req.query), json: req.json });
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    const grant = token ? tenant.tokens[token] : undefined;
    if (!token || !grant || controls.revoked.has(token)) return scimError(401, 'invalid_authentication');
    if (!grant.scopes.includes('admin')) return scimError(403, 'missing_scope: admin');
    const [collection, id] = rest;
    const keys: [string, SimLimit][] = [];
    if (req.method === 'GET') keys.push(['scim:read', SCIM_LIMITS.read]);
    else keys.push(['scim:write', SCIM_LIMITS.write]);
    if (req.method === 'GET' && id) keys.push(['scim:read-by-id', SCIM_LIMITS.readById]);
    if (req.method !== 'GET' && collection === 'Groups') keys.push(['scim:patch-group', SCIM_LIMITS.patchGroup]);
    if (req.method !== 'GET' && collection === 'Users') keys.push(['scim:write-user', SCIM_LIMITS.writeUser]);
    const fr = forced.find((f) => f.left > 0 && (!f.method || f.method === 'scim'));
    if (fr) {
      fr.left -= 1;
      return { status: 429, headers: { 'retry-after': String(fr.retryAfterSec) }, body: { Errors: { description: 'rate_limited', code: 429 } } };
    }
    for (const [key, limit] of keys) {
      const wait = take(key, limit);
      if (wait > 0) return { status: 429, headers: { 'retry-after': String(wait) }, body: { Errors: { description: 'rate_limited', code: 429 } } };
    }

    if (collection === 'Users') {
      if (!id && req.method === 'GET') return scimList(scimUsers, req, renderScimUser);
      const u = id ? userById.get(id) : undefined;
      if (!u || u.scimActive === undefined) return scimError(404, 'user_not_found');
      if (req.method === 'GET') return { body: renderScimUser(u) };
      if (req.method === 'DELETE') {
        u.scimActive = false;
        u.deleted = true;
        return { status: 204, raw: '' };
      }
      if (req.method === 'PATCH') {
        for (const op of patchOps(req.json)) if (op.path === 'active' && op.op.toLowerCase() === 'replace') u.scimActive = op.value === true;
        u.deleted = !u.scimActive;
        return { body: renderScimUser(u) };
      }
    }
    if (collection === 'Groups') {
      if (!id && req.method === 'GET') return scimList(tenant.idpGroups, req, (g) => renderScimGroup(g, !controls.scimGroupListWithoutMembers));
      const g = tenant.idpGroups.find((x) => x.id === id);
      if (!g) return scimError(404, 'group_not_found');
      if (req.method === 'GET') return { body: renderScimGroup(g) };
      if (req.method === 'PATCH') {
        for (const op of patchOps(req.json)) {
          if (op.path !== 'members' || !Array.isArray(op.value)) return scimError(400, 'invalid_patch');
          const values = op.value.map((v: { value?: unknown }) => String(v.value));
          // Only SCIM users can be members; the simulator refuses the whole PATCH (Slack's exact answer is unverified).
          const unknown = values.find((v) => userById.get(v)?.scimActive === undefined);
          if (op.op.toLowerCase() === 'add' && unknown !== undefined) return scimError(404, `user_not_found: ${unknown}`);
          if (op.op.toLowerCase() === 'add') for (const v of values) if (!g.members.includes(v)) g.members.push(v);
          if (op.op.toLowerCase() === 'remove') g.members = g.members.filter((m) => !values.includes(m));
        }
        return { status: 204, raw: '' };
      }
    }
    return scimError(404, 'not_found');
  }

  return { route: (req: SimRequest) => routeSlack(req, web, scim), controls };
}

function renderUser(u: SimUser): Record<string, unknown> {
  return {
    id: u.id,
    team_id: u.team_id,
    name: u.name,
    deleted: u.deleted ?? false,
    color: '9f69e7',
    real_name: u.profile.real_name ?? '',
    tz: 'Europe/Amsterdam',
    tz_label: 'Central European Time',
    tz_offset: 3600,
    profile: {
      title: '',
      phone: '',
      skype: '',
      real_name: u.profile.real_name ?? '',
      display_name: u.name,
      first_name: u.profile.first_name ?? '',
      last_name: u.profile.last_name ?? '',
      email: u.profile.email || undefined,
      team: u.profile.team ?? u.team_id,
      status_text: u.profile.status_text ?? '',
      status_emoji: u.profile.status_emoji ?? '',
      image_24: 'https://sim.slack.test/img/24.png',
    },
    is_admin: u.is_admin ?? false,
    is_owner: u.is_owner ?? false,
    is_primary_owner: u.is_primary_owner ?? false,
    is_restricted: u.is_restricted ?? false,
    is_ultra_restricted: u.is_ultra_restricted ?? false,
    is_bot: u.is_bot ?? false,
    is_app_user: u.is_app_user ?? false,
    // Slack only sends these when they are true (invited) or for external users (stranger).
    ...(u.is_invited_user ? { is_invited_user: true } : {}),
    ...(u.is_stranger ? { is_stranger: true } : {}),
    ...(u.has_2fa !== undefined ? { has_2fa: u.has_2fa } : {}),
    updated: 1700000000,
  };
}

function renderUserGroup(g: SimUserGroup, includeUsers: boolean, includeCount: boolean, usersCap?: number): Record<string, unknown> {
  return {
    id: g.id,
    team_id: g.team_id,
    is_usergroup: true,
    name: g.name,
    description: '',
    handle: g.handle,
    is_external: false,
    date_create: 1700000000,
    date_update: 1700000000,
    date_delete: g.disabled ? 1700000001 : 0,
    auto_type: null,
    created_by: 'U00000001',
    updated_by: 'U00000001',
    deleted_by: null,
    prefs: { channels: [], groups: [] },
    ...(includeUsers ? { users: g.users.slice(0, usersCap ?? g.users.length) } : {}),
    ...(includeCount ? { user_count: g.users.length } : {}),
  };
}

function renderScimUser(u: SimUser): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: u.id,
    externalId: '',
    meta: { created: '2024-01-01T00:00:00-00:00', location: `https://api.slack.com/scim/v2/Users/${u.id}` },
    userName: u.name,
    nickName: u.name,
    name: { givenName: u.profile.first_name ?? '', familyName: u.profile.last_name ?? '' },
    displayName: u.name,
    profileUrl: `https://sim.slack.test/team/${u.name}`,
    title: '',
    timezone: 'Europe/Amsterdam',
    active: u.scimActive === true,
    emails: u.profile.email ? [{ value: u.profile.email, primary: true }] : [],
    photos: [],
    groups: [],
  };
}

function renderScimGroup(g: SimIdpGroup, withMembers = true): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    id: g.id,
    displayName: g.displayName,
    ...(withMembers ? { members: g.members.map((m) => ({ value: m, display: m })) } : {}),
    meta: { created: '2024-01-01T00:00:00-00:00', location: `https://api.slack.com/scim/v2/Groups/${g.id}` },
  };
}
