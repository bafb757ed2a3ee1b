// The Segment Public API endpoints the connector calls, with Segment's envelope, Bearer auth,
// cursor pagination (`pagination.count` and `pagination[count]` both accepted), 429s carrying
// `errors[0].data.msBeforeNext` and X-RateLimit-* headers, and Segment-specific fault switches.
import { type SimRequest, type SimResponse, type SimServer, startSim } from '../../../shared/sim/kit.ts';
import { FUNCTION_KINDS, type SegmentTenant, type SimPermission, type SimUser } from './tenant.ts';

export interface SegmentSimOptions {
  tenant: SegmentTenant;
  port?: number;
  /** 'real' (assumed read budget, documented 60/min IAM writes), 'off', or a time scale. */
  rateLimits?: 'real' | 'off' | number;
  /** GET /users rows carry `permissions` (the OpenAPI row type allows it; default false). */
  listPermissions?: boolean;
  /** GET /groups rows carry `permissions` (default false). */
  listGroupPermissions?: boolean;
  recordCalls?: boolean;
  /** Milliseconds on the rate limiter's clock (default performance.now); a test can hold it still. */
  limiterNow?: () => number;
}

export interface EnvelopeFault {
  /** HTTP status to answer with (200 gives `errors` next to `data`). */
  status: number;
  type?: string;
  message?: string;
  pathIncludes?: string;
  times?: number;
}

export interface SegmentSim {
  server: SimServer;
  tenant: SegmentTenant;
  config(extra?: Record<string, string>): Record<string, string>;
  /** Answer the next `times` matching calls with 429 + msBeforeNext. */
  throttle(options: { times?: number; msBeforeNext?: number; pathIncludes?: string; bodyless?: boolean }): void;
  /** Answer the next matching calls with an errors envelope. */
  envelopeError(fault: EnvelopeFault): void;
  /**
   * Refuse every write with 403, as Segment does for a token whose role cannot change IAM (a
   * read-only token: the "missing scope" case of provisioning).
   */
  denyWrites(on: boolean): void;
  /** Calls served, by `METHOD /route` with ids collapsed to `{id}`. */
  routeCounts(): Record<string, number>;
  close(): Promise<void>;
}

/** Read budget the simulator assumes in 'real' mode (Segment does not publish one): 50 req/s, burst 100. */
export const READ_PER_MINUTE = 3000;
export const READ_BURST = 100;
export const WRITE_PER_MINUTE = 60;

const MAX_COUNT = 200;

/** Token buckets answering in milliseconds, as Segment's msBeforeNext does. */
class MsBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /** 0 when the request may proceed, else the ms until a token is available. */
  take(key: string, perMinute: number, burst: number): number {
    const perMs = perMinute / 60_000;
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs));
  }
}

function errors(status: number, type: string, message: string, data?: Record<string, unknown>): SimResponse {
  return { status, body: { errors: [{ type, message, ...(data ? { data } : {}) }] } };
}

function encodeCursor(scope: string, offset: number): string {
  return Buffer.from(`${scope}|${offset}`).toString('base64url');
}

function decodeCursor(scope: string, cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.lastIndexOf('|');
  if (bar < 0 || text.slice(0, bar) !== scope) return undefined;
  const n = Number(text.slice(bar + 1));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function param(query: URLSearchParams, name: string): string | null {
  return query.get(`pagination.${name}`) ?? query.get(`pagination[${name}]`);
}

/** How an empty `next` is spelled; Segment is not consistent, so every spelling is served. */
function endMarker(scope: string): { next?: string | null } {
  const k = scope.length % 3;
  return k === 0 ? { next: null } : k === 1 ? { next: '' } : {};
}

function paginate<T>(req: SimRequest, scope: string, items: readonly T[]): { page: T[]; pagination: Record<string, unknown> } | SimResponse {
  const countText = param(req.query, 'count');
  if (countText === null) return errors(400, 'ValidationError', 'pagination.count is required');
  const count = Number(countText);
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) return errors(400, 'ValidationError', `pagination.count must be between 1 and ${MAX_COUNT}`);
  const cursor = param(req.query, 'cursor');
  const offset = cursor ? decodeCursor(scope, cursor) : 0;
  if (offset === undefined) return errors(400, 'ValidationError', 'pagination.cursor is invalid');
  const page = items.slice(offset, offset + count);
  const more = offset + count < items.length;
  return {
    page,
    pagination: {
      current: encodeCursor(scope, offset),
      ...(more ? { next: encodeCursor(scope, offset + count) } : endMarker(scope)),
      previous: offset > 0 ? encodeCursor(scope, Math.max(0, offset - count)) : null,
      totalEntries: items.length,
    },
  };
}

function isResponse(x: unknown): x is SimResponse {
  return typeof x === 'object' && x !== null && !('page' in x);
}

function routeOf(method: string, path: string): string {
  return `${method} ${path.replace(/^\/(users|groups|group)\/[^/]+/, '/$1/{id}')}`;
}

/** Emails from `emails=["a"]` (Go connector), repeated `emails=a`, or comma separated. */
function emailsOf(query: URLSearchParams): string[] {
  const out: string[] = [];
  for (const raw of query.getAll('emails')) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(trimmed);
        if (Array.isArray(parsed)) out.push(...parsed.filter((e): e is string => typeof e === 'string'));
        continue;
      } catch {
        // fall through to the plain form
      }
    }
    out.push(...trimmed.split(',').filter(Boolean));
  }
  return out;
}

export async function startSegmentSim(options: SegmentSimOptions): Promise<SegmentSim> {
  const t = options.tenant;
  const usersById = new Map(t.users.map((u) => [u.id, u]));
  const usersByEmail = new Map(t.users.filter((u) => u.email).map((u) => [u.email.toLowerCase(), u]));
  const groupsById = new Map(t.groups.map((g) => [g.id, g]));
  const throttles: { left: number; ms: number; pathIncludes?: string; bodyless: boolean }[] = [];
  const envelopeFaults: (EnvelopeFault & { left: number })[] = [];
  const routes: Record<string, number> = {};
  let consumed = 0;
  let writesDenied = false;

  const userRow = (u: SimUser, withPermissions: boolean) => ({
    id: u.id,
    name: u.name,
    email: u.email,
    ...(withPermissions ? { permissions: u.permissions } : {}),
  });
  const groupRow = (g: (typeof t.groups)[number], withPermissions: boolean) => ({
    id: g.id,
    name: g.name,
    memberCount: g.memberIds.length,
    ...(withPermissions ? { permissions: g.permissions } : {}),
  });

  const rateHeaders = (remaining: number): Record<string, string> => ({
    'X-RateLimit-Consumed': String(consumed),
    'X-RateLimit-Remaining': String(Math.max(0, remaining)),
    'X-RateLimit-Reset': new Date(Date.now() + 1000).toUTCString(),
  });

  const list = <T>(req: SimRequest, scope: string, key: string, items: readonly T[], map: (x: T) => unknown): SimResponse => {
    const p = paginate(req, scope, items);
    if (isResponse(p)) return p;
    return { body: { data: { [key]: p.page.map(map), pagination: p.pagination } } };
  };

  const readPermissions = (body: unknown): SimPermission[] | undefined => {
    const perms = (body as { permissions?: unknown } | undefined)?.permissions;
    if (!Array.isArray(perms)) return undefined;
    for (const p of perms) {
      if (typeof p !== 'object' || p === null || typeof (p as SimPermission).roleId !== 'string' || !Array.isArray((p as SimPermission).resources))
        return undefined;
    }
    const roleNames = new Map(t.roles.map((r) => [r.id, r.name]));
    // Stored as sent (labels included); roleName is filled in as Segment does on read.
    return (perms as SimPermission[]).map((p) => ({ ...p, roleName: roleNames.get(p.roleId) ?? p.roleName ?? '' }));
  };

  const routeImpl = (req: SimRequest): SimResponse => {
    const { method, path } = req;
    const seg = path.split('/').filter(Boolean);
    if (method === 'GET' && seg.length === 0) return { body: { data: { workspace: t.workspace } } };
    if (method === 'GET' && path === '/users') return list(req, 'users', 'users', t.users, (u) => userRow(u, options.listPermissions ?? false));
    if (method === 'GET' && seg[0] === 'users' && seg.length === 2) {
      const u = usersById.get(seg[1] as string);
      return u ? { body: { data: { user: userRow(u, true) } } } : errors(404, 'NotFoundError', `user ${seg[1]} not found`);
    }
    if (method === 'PUT' && seg[0] === 'users' && seg[2] === 'permissions' && seg.length === 3) {
      const u = usersById.get(seg[1] as string);
      if (!u) return errors(404, 'NotFoundError', `user ${seg[1]} not found`);
      const perms = readPermissions(req.json);
      if (!perms) return errors(400, 'ValidationError', 'permissions must be an array of {roleId, resources}');
      u.permissions = perms;
      return { body: { data: { permissions: perms } } };
    }
    if (method === 'GET' && path === '/groups') return list(req, 'groups', 'userGroups', t.groups, (g) => groupRow(g, options.listGroupPermissions ?? false));
    if ((seg[0] === 'groups' || seg[0] === 'group') && seg.length >= 2) {
      const g = groupsById.get(seg[1] as string);
      if (!g) return errors(404, 'NotFoundError', `user group ${seg[1]} not found`);
      if (method === 'GET' && seg.length === 2 && seg[0] === 'groups') return { body: { data: { userGroup: groupRow(g, true) } } };
      if (method === 'GET' && seg[2] === 'users' && seg.length === 3) {
        const members = g.memberIds.map((id) => usersById.get(id)).filter((u): u is SimUser => u !== undefined);
        return list(req, `groups/${g.id}/users`, 'users', members, (u) => userRow(u, false));
      }
      if (method === 'POST' && seg[2] === 'users' && seg.length === 3) {
        const emails = (req.json as { emails?: unknown } | undefined)?.emails;
        if (!Array.isArray(emails) || emails.length === 0) return errors(400, 'ValidationError', 'emails must be a non-empty array');
        for (const e of emails) {
          const u = typeof e === 'string' ? usersByEmail.get(e.toLowerCase()) : undefined;
          if (!u) return errors(400, 'ValidationError', `no workspace user with email ${String(e)}`);
          if (!g.memberIds.includes(u.id)) g.memberIds.push(u.id);
        }
        return { body: { data: { userGroup: groupRow(g, false) } } };
      }
      if (method === 'DELETE' && seg[2] === 'users' && seg.length === 3) {
        const emails = emailsOf(req.query);
        if (emails.length === 0) return errors(400, 'ValidationError', 'emails is required');
        const drop = new Set(emails.map((e) => usersByEmail.get(e.toLowerCase())?.id).filter(Boolean));
        g.memberIds = g.memberIds.filter((id) => !drop.has(id));
        return { body: { data: { status: 'SUCCESS' } } };
      }
      if (method === 'PUT' && seg[2] === 'permissions' && seg.length === 3) {
        const perms = readPermissions(req.json);
        if (!perms) return errors(400, 'ValidationError', 'permissions must be an array of {roleId, resources}');
        g.permissions = perms;
        return { body: { data: { permissions: perms } } };
      }
    }
    if (method === 'GET' && path === '/roles') return list(req, 'roles', 'roles', t.roles, (r) => r);
    if (method === 'GET' && path === '/sources')
      return list(req, 'sources', 'sources', t.sources, (s) => ({
        id: s.id,
        name: s.name,
        slug: s.name,
        workspaceId: t.workspace.id,
        enabled: true,
        labels: [],
      }));
    if (method === 'GET' && path === '/warehouses')
      return list(req, 'warehouses', 'warehouses', t.warehouses, (w) => ({
        id: w.id,
        workspaceId: t.workspace.id,
        enabled: true,
        metadata: { id: 'catalog-snowflake', name: w.name, slug: 'snowflake', description: 'Data warehouse' },
        settings: { name: w.name },
      }));
    if (method === 'GET' && path === '/spaces') return list(req, 'spaces', 'spaces', t.spaces, (s) => ({ id: s.id, name: s.name, slug: s.name }));
    if (method === 'GET' && path === '/functions') {
      const kind = req.query.get('resourceType');
      if (!kind || !(FUNCTION_KINDS as readonly string[]).includes(kind))
        return errors(400, 'ValidationError', 'resourceType must be DESTINATION, INSERT_DESTINATION or SOURCE');
      return list(
        req,
        `functions/${kind}`,
        'functions',
        t.functions.filter((f) => f.kind === kind),
        (f) => ({ id: f.id, displayName: f.displayName, resourceType: f.kind, workspaceId: t.workspace.id }),
      );
    }
    return errors(404, 'NotFoundError', `no route for ${method} ${path}`);
  };

  const limits = options.rateLimits ?? 'real';
  const buckets = new MsBuckets(options.limiterNow);

  const route = (req: SimRequest): SimResponse => {
    const key = routeOf(req.method, req.path);
    routes[key] = (routes[key] ?? 0) + 1;
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${t.token}`) return errors(401, 'Unauthorized', 'Unauthorized: invalid or missing token');
    if (writesDenied && req.method !== 'GET') return errors(403, 'Forbidden', 'Forbidden: the token does not have access to this resource');

    const throttle = throttles.find((f) => f.left > 0 && (!f.pathIncludes || req.path.includes(f.pathIncludes)));
    if (throttle) {
      throttle.left -= 1;
      if (throttle.left === 0) throttles.splice(throttles.indexOf(throttle), 1);
      if (throttle.bodyless) return { status: 429, raw: '', headers: rateHeaders(0) };
      return {
        ...errors(429, 'RequestError', 'Too many requests', { remainingPoints: 0, msBeforeNext: throttle.ms, consumedPoints: consumed }),
        headers: rateHeaders(0),
      };
    }
    const ef = envelopeFaults.find((f) => f.left > 0 && (!f.pathIncludes || req.path.includes(f.pathIncludes)));
    if (ef) {
      ef.left -= 1;
      if (ef.left === 0) envelopeFaults.splice(envelopeFaults.indexOf(ef), 1);
      const body = { ...(ef.status === 200 ? { data: {} } : {}), errors: [{ type: ef.type ?? 'RequestError', message: ef.message ?? 'simulated error' }] };
      return { status: ef.status, body };
    }

    if (limits !== 'off') {
      const scale = typeof limits === 'number' ? limits : 1;
      const write = req.method !== 'GET';
      const ms = write ? buckets.take(`${t.token}:write`, WRITE_PER_MINUTE * scale, 5) : buckets.take(t.token, READ_PER_MINUTE * scale, READ_BURST);
      if (ms > 0) {
        return {
          ...errors(429, 'RequestError', 'Too many requests', { remainingPoints: 0, msBeforeNext: ms, consumedPoints: consumed }),
          headers: rateHeaders(0),
        };
      }
    }
    consumed += 1;
    const res = routeImpl(req);
    return { ...res, headers: { ...rateHeaders(READ_BURST), ...res.headers } };
  };

  const s = await startSim(route, { name: 'segment', port: options.port, recordCalls: options.recordCalls });
  return {
    server: s,
    tenant: t,
    config(extra = {}) {
      return { BATON_TOKEN: t.token, BATON_BASE_URL: s.url, ...extra };
    },
    throttle({ times = 1, msBeforeNext = 50, pathIncludes, bodyless = false }) {
      throttles.push({ left: times, ms: msBeforeNext, pathIncludes, bodyless });
    },
    envelopeError(fault) {
      envelopeFaults.push({ ...fault, left: fault.times ?? 1 });
    },
    denyWrites(on) {
      writesDenied = on;
    },
    routeCounts() {
      return { ...routes };
    },
    close() {
      return s.close();
    },
  };
}
