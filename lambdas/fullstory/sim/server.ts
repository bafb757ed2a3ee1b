// Fullstory on loopback: the SCIM seat API under a path prefix and the server API v2 end-user list at
// the root, each with its own credential, paging, throttling and app-specific fault switches (the
// kit's generic faults — 5xx, HTML, malformed JSON, resets — come on top via `server.fault`).
import { type SimRequest, type SimResponse, type SimServer, startSim } from '../../../shared/sim/kit.ts';
import type { EndUser, FullstoryTenant, ScimUser } from './tenant.ts';

export const SCIM_PREFIX = '/scim/v2';
const SCIM_JSON = 'application/scim+json; charset=utf-8';
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const SCIM_LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

export interface FullstorySimOptions {
  tenant: FullstoryTenant;
  port?: number;
  scimToken?: string;
  /** Admin/Architect key: may list users. */
  apiKey?: string;
  /** A Standard-role key: authenticates but gets 403, as Fullstory does for data-retrieving endpoints. */
  standardApiKey?: string;
  /** Largest SCIM page the server returns whatever `count` asks (short pages exercise paging). */
  scimPageCap?: number;
  /** Server-chosen page size of GET /v2/users. */
  apiPageSize?: number;
  /** How the last /v2/users page says "no more": the field absent, null or "". */
  lastPageToken?: 'absent' | 'null' | 'empty';
  /** 'off', 'real' (per credential 600/min, burst 20) or a time scale for the same limits. */
  rateLimits?: 'real' | 'off' | number;
  recordCalls?: boolean;
}

export type InjectedStatus = 401 | 403 | 404 | 429 | 500 | 502 | 503;

export interface FullstorySim {
  server: SimServer;
  readonly url: string;
  readonly tenant: FullstoryTenant;
  /** The secret map for either mode. */
  config(mode: 'scim' | 'apikey'): Record<string, string>;
  /** Answer the next `times` requests whose path contains `pathIncludes` with this status. */
  failWith(status: InjectedStatus, options?: { times?: number; retryAfterSeconds?: number; pathIncludes?: string }): void;
  /** Added to the real SCIM totalResults (a server that overcounts: the Go connector loops forever). */
  overstateTotal: number;
  /** Leave totalResults out of SCIM list responses. */
  omitTotal: boolean;
  /** The next N list responses (either API) carry no rows; /v2/users still hands out a token to go on. */
  emptyPages: number;
  /** 403 every SCIM request, as when SCIM provisioning is switched off or the plan lapsed. */
  scimDisabled: boolean;
  close(): Promise<void>;
}

const PERSISTENT_LIMIT = { perMinute: 600, burst: 20 };

export async function startFullstorySim(options: FullstorySimOptions): Promise<FullstorySim> {
  const tenant = options.tenant;
  const scimToken = options.scimToken ?? 'sim-scim-token';
  const apiKey = options.apiKey ?? 'na1.sim-admin-key';
  const standardApiKey = options.standardApiKey ?? 'na1.sim-standard-key';
  const scimPageCap = options.scimPageCap ?? 50;
  const apiPageSize = options.apiPageSize ?? 20;
  const lastPageToken = options.lastPageToken ?? 'absent';
  const injected: { status: InjectedStatus; left: number; retryAfterSeconds: number; pathIncludes?: string }[] = [];
  let tokenNonce = 0;

  const state = {
    overstateTotal: 0,
    omitTotal: false,
    emptyPages: 0,
    scimDisabled: false,
  };

  const route = (req: SimRequest): SimResponse => {
    const path = req.path.replace(/\/{2,}/g, '/');
    const isScim = path.startsWith(`${SCIM_PREFIX}/`);
    const inject = injected.find((f) => f.left > 0 && (!f.pathIncludes || req.path.includes(f.pathIncludes)));
    if (inject) {
      inject.left -= 1;
      if (inject.left <= 0) injected.splice(injected.indexOf(inject), 1);
      return injectedResponse(inject.status, inject.retryAfterSeconds, isScim);
    }
    if (req.method !== 'GET') return isScim ? scimError(405, 'method not allowed in the simulator') : apiError(405, 'method not allowed');
    if (path === `${SCIM_PREFIX}/Users`) return scimUsers(req);
    if (path === '/v2/users') return apiUsers(req);
    return isScim ? scimError(404, `no such resource: ${req.path}`) : apiError(404, `no route for ${req.path}`);
  };

  function throttle(key: string): number {
    return server.limiter.take(key, PERSISTENT_LIMIT.perMinute, PERSISTENT_LIMIT.burst);
  }

  function scimUsers(req: SimRequest): SimResponse {
    if (req.headers.authorization !== `Bearer ${scimToken}`) return scimError(401, 'invalid or expired bearer token');
    if (state.scimDisabled) return scimError(403, 'SCIM provisioning is not enabled for this organization');
    const wait = throttle('scim');
    if (wait > 0) return { status: 429, headers: { 'content-type': SCIM_JSON, 'retry-after': String(wait) }, body: scimErrorBody(429, 'rate limit exceeded') };

    const startIndex = Math.max(1, Number.parseInt(req.query.get('startIndex') ?? '1', 10) || 1);
    const askedCount = req.query.has('count') ? Number.parseInt(req.query.get('count') ?? '', 10) : scimPageCap;
    const count = Math.max(0, Math.min(Number.isFinite(askedCount) ? askedCount : scimPageCap, scimPageCap));
    let page: ScimUser[] = tenant.seats.slice(startIndex - 1, startIndex - 1 + count);
    if (state.emptyPages > 0) {
      state.emptyPages -= 1;
      page = [];
    }
    const body: Record<string, unknown> = { schemas: [SCIM_LIST], startIndex, itemsPerPage: page.length };
    if (!state.omitTotal) body.totalResults = tenant.seats.length + state.overstateTotal;
    // RFC 7644 lets an empty list leave Resources out; clients must cope.
    if (page.length > 0) body.Resources = page.map(scimWire);
    return { headers: { 'content-type': SCIM_JSON }, body };
  }

  function apiUsers(req: SimRequest): SimResponse {
    const auth = req.headers.authorization ?? '';
    if (auth === `Basic ${standardApiKey}`) return apiError(403, 'API key lacks the Admin or Architect permission');
    if (auth !== `Basic ${apiKey}`) return apiError(401, 'unauthenticated');
    const wait = throttle('api');
    if (wait > 0) return { status: 429, headers: { 'retry-after': String(wait) }, body: { code: 'resource_exhausted', message: 'rate limit exceeded' } };

    const token = req.query.get('page_token');
    let offset = 0;
    if (token !== null) {
      const decoded = decodeToken(token);
      if (decoded === undefined) return apiError(400, 'invalid page_token');
      offset = decoded;
    }
    let rows: EndUser[] = tenant.endUsers.slice(offset, offset + apiPageSize);
    let next = offset + rows.length;
    if (state.emptyPages > 0) {
      state.emptyPages -= 1;
      rows = [];
      next = offset;
    }
    const body: Record<string, unknown> = { results: rows, total_records: String(tenant.endUsers.length) };
    if (next < tenant.endUsers.length) body.next_page_token = encodeToken(next);
    else if (lastPageToken === 'null') body.next_page_token = null;
    else if (lastPageToken === 'empty') body.next_page_token = '';
    return { body };
  }

  // Opaque like Fullstory's (base64 with '=' padding, so clients must URL-encode it); the nonce
  // makes a token for the same offset differ between pages.
  function encodeToken(offset: number): string {
    tokenNonce += 1;
    return Buffer.from(`o${offset}:${tokenNonce}`).toString('base64');
  }

  function decodeToken(token: string): number | undefined {
    const m = /^o(\d+):\d+$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    return m ? Number(m[1]) : undefined;
  }

  const server = await startSim(route, { name: 'fullstory', port: options.port, recordCalls: options.recordCalls });
  const limits = options.rateLimits ?? 'real';
  server.limiter.enabled = limits !== 'off';
  if (typeof limits === 'number') server.limiter.timeScale = limits;

  const sim: FullstorySim = {
    server,
    url: server.url,
    tenant,
    config(mode): Record<string, string> {
      return mode === 'scim'
        ? { BATON_SCIM_BASE_URL: `${server.url}${SCIM_PREFIX}`, BATON_SCIM_TOKEN: scimToken }
        : { BATON_API_KEY: apiKey, BATON_BASE_URL: server.url };
    },
    failWith(status, opts = {}) {
      injected.push({ status, left: opts.times ?? 1, retryAfterSeconds: opts.retryAfterSeconds ?? 1, pathIncludes: opts.pathIncludes });
    },
    get overstateTotal() {
      return state.overstateTotal;
    },
    set overstateTotal(v) {
      state.overstateTotal = v;
    },
    get omitTotal() {
      return state.omitTotal;
    },
    set omitTotal(v) {
      state.omitTotal = v;
    },
    get emptyPages() {
      return state.emptyPages;
    },
    set emptyPages(v) {
      state.emptyPages = v;
    },
    get scimDisabled() {
      return state.scimDisabled;
    },
    set scimDisabled(v) {
      state.scimDisabled = v;
    },
    close: () => server.close(),
  };
  return sim;
}

function scimWire(u: ScimUser): Record<string, unknown> {
  return { schemas: [SCIM_USER], ...u, meta: { resourceType: 'User', location: `${SCIM_PREFIX}/Users/${u.id}` } };
}

function scimErrorBody(status: number, detail: string): Record<string, unknown> {
  return { schemas: [SCIM_ERROR], status: String(status), detail };
}

function scimError(status: number, detail: string): SimResponse {
  return { status, headers: { 'content-type': SCIM_JSON }, body: scimErrorBody(status, detail) };
}

function apiError(status: number, message: string): SimResponse {
  return { status, body: { code: status === 401 ? 'unauthenticated' : status === 403 ? 'permission_denied' : 'error', message } };
}

function injectedResponse(status: InjectedStatus, retryAfterSeconds: number, scim: boolean): SimResponse {
  const detail =
    status === 401
      ? 'unauthenticated'
      : status === 403
        ? 'forbidden'
        : status === 429
          ? 'rate limit exceeded'
          : status === 404
            ? 'not found'
            : 'upstream failure';
  const res = scim ? scimError(status, detail) : apiError(status, detail);
  if (status === 429) res.headers = { ...res.headers, 'retry-after': String(retryAfterSeconds) };
  return res;
}
