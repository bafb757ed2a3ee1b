// Fullstory's two read-only APIs and their response schemas: SCIM 2.0 Users (the seats) and the
// server API v2 user list (captured end-users). Both share one error mapping per mode.
import { z } from 'zod';
import type { HttpClient, ResponseInfo, ResponseVerdict } from '../../shared/http/types.ts';
import { ConnectorError, type ConnectorRuntime, type Page } from '../../shared/sync/connector.ts';

// Turns the responses Fullstory gives for bad credentials, wrong URLs and non-JSON bodies into one
// clear ConnectorError naming the mode and the key, before the HTTP client's generic rules (which
// still handle 429 + Retry-After and retry 5xx).

export type Mode = 'scim' | 'apikey';

/** `fullstory (scim mode)`: the prefix of every error this connector raises. */
export function label(mode: Mode): string {
  return `fullstory (${mode} mode)`;
}

export function modeError(mode: Mode, code: string, message: string, cause?: unknown): ConnectorError {
  return new ConnectorError(label(mode), code, message, cause === undefined ? undefined : { cause });
}

const KEY: Record<Mode, { credential: string; url: string }> = {
  scim: { credential: 'BATON_SCIM_TOKEN', url: 'BATON_SCIM_BASE_URL' },
  apikey: { credential: 'BATON_API_KEY', url: 'BATON_BASE_URL' },
};

const FORBIDDEN_HINT: Record<Mode, string> = {
  scim: 'SCIM provisioning may be switched off, or the Enterprise / Data Direct plan it needs has lapsed',
  apikey: 'Fullstory needs an Admin or Architect API key to list users',
};

function header(info: ResponseInfo, name: string): string {
  const v = info.headers[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** A short, secret-free hint of what an error body said (SCIM `detail`, API `message`). */
function detail(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const text = typeof b.detail === 'string' ? b.detail : typeof b.message === 'string' ? b.message : undefined;
    if (text) return `: ${text.slice(0, 200)}`;
  }
  return '';
}

export function inspectFor(mode: Mode): (info: ResponseInfo) => ResponseVerdict | undefined {
  const keys = KEY[mode];
  return (info) => {
    if (info.status === 401) {
      return { action: 'fail', error: modeError(mode, 'unauthenticated', `${keys.credential} was rejected (HTTP 401)${detail(info.body)}`) };
    }
    if (info.status === 403) {
      return {
        action: 'fail',
        error: modeError(mode, 'permission_denied', `${keys.credential} was refused (HTTP 403): ${FORBIDDEN_HINT[mode]}${detail(info.body)}`),
      };
    }
    if (info.status === 404) {
      const which = mode === 'scim' ? `check ${keys.url}` : 'the users endpoint was not found';
      return { action: 'fail', error: modeError(mode, 'not_found', `${info.method} ${info.endpoint} returned HTTP 404: ${which}`) };
    }
    const type = header(info, 'content-type');
    if (info.status >= 200 && info.status < 300 && info.body === undefined && !/json/i.test(type)) {
      // An SSO login page or a proxy's HTML will not change on retry: say so instead of surfacing a
      // JSON parse stack. Garbled JSON is left to the client, which retries it.
      const hint = mode === 'scim' ? `; check ${keys.url}` : '';
      return {
        action: 'fail',
        error: modeError(
          mode,
          'bad_response',
          `${info.method} ${info.endpoint} returned HTTP ${info.status} with a non-JSON body (${type || 'no content type'})${hint}`,
        ),
      };
    }
    return undefined;
  };
}

// Lenient where real SCIM servers vary (null vs absent); strict only on `id`, the resource id.
const scimUser = z.object({
  id: z.string().min(1),
  userName: z.string().nullish(),
  displayName: z.string().nullish(),
  name: z.object({ givenName: z.string().nullish(), familyName: z.string().nullish() }).nullish(),
  emails: z.array(z.object({ value: z.string().nullish(), primary: z.boolean().nullish() })).nullish(),
  active: z.boolean().nullish(),
});
export type ScimUser = z.infer<typeof scimUser>;

const scimListResponse = z.object({
  totalResults: z.number().int().nonnegative().nullish(),
  Resources: z.array(scimUser).nullish(),
});

export interface ScimPage {
  rows: ScimUser[];
  /** Undefined when the server left it out (RFC 7644 requires it; Fullstory's is unverified). */
  totalResults: number | undefined;
}

/** What the Go connector's SCIM client asks for; the server may return fewer. */
export const SCIM_PAGE_SIZE = 100;

/** SCIM mode's client: the org's seats. */
export class ScimClient {
  private readonly http: HttpClient;

  constructor(config: { scimBaseUrl: string; scimToken: string }, runtime: ConnectorRuntime) {
    this.http = runtime.http({
      name: 'fullstory',
      baseUrl: config.scimBaseUrl,
      headers: { Authorization: `Bearer ${config.scimToken}`, Accept: 'application/json' },
      secrets: [config.scimToken],
      inspect: inspectFor('scim'),
    });
  }

  async listUsers(startIndex: number, count: number): Promise<ScimPage> {
    const body = await this.http.request({ path: '/Users', query: { startIndex, count }, schema: scimListResponse, route: 'GET /Users' });
    return { rows: body.Resources ?? [], totalResults: body.totalResults ?? undefined };
  }
}

/** What the SCIM user syncer needs of its client (tests pass a stub). */
export type ScimUsers = Pick<ScimClient, 'listUsers'>;

const endUser = z.object({
  id: z.string().min(1),
  uid: z.string().nullish(),
  display_name: z.string().nullish(),
  email: z.string().nullish(),
  is_being_deleted: z.boolean().nullish(),
});
export type EndUser = z.infer<typeof endUser>;

const endUserListResponse = z.object({
  results: z.array(endUser).nullish(),
  next_page_token: z.string().nullish(),
});

/** API-key mode's client: the end-users Fullstory captured. */
export class ApiClient {
  private readonly http: HttpClient;

  constructor(config: { apiBaseUrl: string; apiKey: string }, runtime: ConnectorRuntime) {
    this.http = runtime.http({
      name: 'fullstory',
      baseUrl: config.apiBaseUrl,
      // Fullstory takes the raw key after "Basic", not base64 of user:password.
      headers: { Authorization: `Basic ${config.apiKey}`, Accept: 'application/json' },
      secrets: [config.apiKey],
      inspect: inspectFor('apikey'),
    });
  }

  async listUsers(pageToken: string | undefined): Promise<Page<EndUser>> {
    const body = await this.http.request({ path: '/v2/users', query: { page_token: pageToken }, schema: endUserListResponse, route: 'GET /v2/users' });
    return { rows: body.results ?? [], nextPageToken: body.next_page_token || undefined };
  }
}

/** What the end-user syncer needs of its client (tests pass a stub). */
export type ApiUsers = Pick<ApiClient, 'listUsers'>;
