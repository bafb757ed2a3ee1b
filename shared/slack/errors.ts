// How Slack's answers become verdicts for the shared HTTP client, for every Slack connector (Pro /
// Business+ and Enterprise Grid): credential and scope problems fail the run at once with the key
// to fix; `ratelimited` waits; transient errors retry. `connector` names the connector in errors.

import type { ResponseInfo, ResponseVerdict } from '../http/types.ts';
import { ConnectorError } from '../sync/connector.ts';

export const CONNECTOR = 'slack';

/** An `ok:false` answer the caller may handle (user_not_found, no_such_subteam…). */
export class SlackApiError extends Error {
  readonly method: string;
  readonly code: string;
  constructor(method: string, code: string, connector = CONNECTOR) {
    super(`${connector}: ${method} answered ${code}`);
    this.name = 'SlackApiError';
    this.method = method;
    this.code = code;
  }
}

const AUTH = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired']);
const PERMISSION = new Set(['missing_scope', 'access_denied', 'not_allowed_token_type', 'team_access_not_granted', 'no_permission', 'ekm_access_denied']);
const TRANSIENT = new Set(['internal_error', 'service_unavailable', 'request_timeout']);

const AUTH_HINT: Record<string, string> = {
  invalid_auth: 'the token is not valid',
  not_authed: 'no token reached Slack',
  account_inactive: 'the token belongs to a deactivated user or workspace',
  token_revoked: 'the token has been revoked',
  token_expired: 'the token has expired',
};

/** Slack's default wait for a 200 `ratelimited` without Retry-After (the Go connector's 30 s). */
export const DEFAULT_RATELIMITED_MS = 30_000;

function header(res: ResponseInfo, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function retryAfterMs(res: ResponseInfo): number | undefined {
  const raw = header(res, 'retry-after');
  if (raw === undefined) return undefined;
  const secs = Number(raw);
  return Number.isFinite(secs) && secs >= 0 ? secs * 1000 : undefined;
}

function methodOf(endpoint: string): string {
  const path = endpoint.split('?')[0] ?? endpoint;
  return path.slice(path.lastIndexOf('/') + 1) || path;
}

/** The Web API hook: every answer is HTTP 200 with `ok`, so the error string decides. */
export function inspectWebApi(tokenKey: string, connector = CONNECTOR) {
  return (res: ResponseInfo): ResponseVerdict | undefined => {
    const body = res.body as { ok?: unknown; error?: unknown; needed?: unknown } | undefined;
    const method = methodOf(res.endpoint);
    if (res.status === 401 || res.status === 403) {
      return { action: 'fail', error: new ConnectorError(connector, 'unauthenticated', `${tokenKey} was refused by Slack (HTTP ${res.status} on ${method})`) };
    }
    if (res.status !== 200 || !body || body.ok !== false) return undefined;
    const code = typeof body.error === 'string' ? body.error : 'unknown_error';
    if (code === 'ratelimited') return { action: 'throttle', retryAfterMs: retryAfterMs(res) ?? DEFAULT_RATELIMITED_MS };
    if (AUTH.has(code)) {
      return { action: 'fail', error: new ConnectorError(connector, code, `${tokenKey} was rejected by Slack on ${method}: ${code} (${AUTH_HINT[code]})`) };
    }
    if (code === 'missing_scope') {
      const needed = typeof body.needed === 'string' && body.needed ? body.needed : 'unknown';
      return {
        action: 'fail',
        error: new ConnectorError(
          connector,
          code,
          `${tokenKey} lacks the OAuth scope "${needed}" that ${method} needs (missing_scope); add it to the Slack app and reinstall`,
        ),
      };
    }
    if (PERMISSION.has(code)) {
      return { action: 'fail', error: new ConnectorError(connector, code, `${tokenKey} is not allowed to call ${method}: ${code}`) };
    }
    if (TRANSIENT.has(code)) return { action: 'retry', reason: `${method} answered ${code}` };
    return { action: 'fail', error: new SlackApiError(method, code, connector) };
  };
}

/** The SCIM hook: plain HTTP statuses; 401/403 mean the Business+ token (or its admin) is wrong. */
export function inspectScim(tokenKey: string, connector = CONNECTOR) {
  return (res: ResponseInfo): ResponseVerdict | undefined => {
    if (res.status === 401 || res.status === 403) {
      const description = (res.body as { Errors?: { description?: unknown } } | undefined)?.Errors?.description;
      const why = typeof description === 'string' ? `: ${description}` : '';
      return {
        action: 'fail',
        error: new ConnectorError(
          connector,
          res.status === 401 ? 'unauthenticated' : 'permission_denied',
          `${tokenKey} was refused by Slack SCIM (HTTP ${res.status}${why}); it needs the admin scope and a workspace Admin/Owner`,
        ),
      };
    }
    if (res.status === 404) return { action: 'fail', error: new SlackApiError(`SCIM ${res.method} ${res.endpoint.split('?')[0]}`, 'not_found', connector) };
    return undefined;
  };
}
