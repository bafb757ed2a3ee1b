// How Okta's answers become verdicts for the shared HTTP client: a refused credential or missing
// admin role fails the run at once with the key to fix; 429 (E0000047) waits until the window's
// X-Rate-Limit-Reset; other error bodies surface as OktaApiError for the callers that expect them.
import type { ResponseInfo, ResponseVerdict } from '../../shared/http/types.ts';
import { ConnectorError } from '../../shared/sync/connector.ts';

export const CONNECTOR = 'okta';

/** Okta's error body: `{errorCode, errorSummary, errorCauses}`. */
export interface OktaErrorBody {
  errorCode?: string;
  errorSummary?: string;
  errorCauses?: { errorSummary?: string }[];
}

/** An Okta error a caller may handle (not found, already assigned, invalid state…). */
export class OktaApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly summary: string;
  readonly causes: string[];
  constructor(status: number, endpoint: string, body: OktaErrorBody | undefined) {
    const code = body?.errorCode ?? `HTTP_${status}`;
    const summary = body?.errorSummary ?? '';
    const causes = (body?.errorCauses ?? []).map((c) => c.errorSummary ?? '').filter((s) => s !== '');
    super(
      `${CONNECTOR}: ${endpoint.split('?')[0]} answered HTTP ${status} ${code}${summary ? ` (${summary})` : ''}${causes.length ? `: ${causes.join('; ')}` : ''}`,
    );
    this.name = 'OktaApiError';
    this.status = status;
    this.code = code;
    this.summary = summary;
    this.causes = causes;
  }
}

export const E = {
  validation: 'E0000001',
  accessDenied: 'E0000006',
  notFound: 'E0000007',
  notFoundResource: 'E0000008',
  invalidToken: 'E0000011',
  invalidState: 'E0000038',
  rateLimited: 'E0000047',
  roleAlreadyAssigned: 'E0000090',
} as const;

/** What each Okta error code means for someone reading a failed grant or sync. */
const HINTS: Record<string, string> = {
  [E.validation]: 'Okta refused the request as invalid',
  [E.accessDenied]: "the token's admin lacks the admin role (or the OAuth app lacks an admin role) this call needs",
  [E.notFound]: 'the user, group, app or role does not exist in Okta (deleted since the last sync?)',
  [E.notFoundResource]: 'the resource does not exist in Okta',
  [E.invalidToken]: 'the token is invalid, expired or revoked',
  [E.invalidState]: "the operation is not allowed in the user's current status",
  [E.rateLimited]: 'the rate limit was exceeded',
  [E.roleAlreadyAssigned]: 'the role is already assigned',
  E0000022: 'the app does not support this operation',
  E0000056: "Okta does not allow deleting or changing this (e.g. a BUILT_IN group's members)",
  E0000099: 'the user or group cannot be assigned this role here',
};

export function describeOktaError(err: OktaApiError): string {
  const hint = HINTS[err.code];
  return `Okta answered ${err.code}${err.summary ? ` "${err.summary}"` : ''}${err.causes.length ? ` (${err.causes.join('; ')})` : ''}${hint ? `: ${hint}` : ''}`;
}

function header(res: ResponseInfo, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Milliseconds until the window in the response's headers resets; undefined without a usable Reset. */
export function msUntilReset(headers: Record<string, string | string[] | undefined>, now: number): number | undefined {
  const raw = headers['x-rate-limit-reset'];
  const reset = Number(Array.isArray(raw) ? raw[0] : raw);
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  const dateRaw = headers.date;
  const date = Date.parse(Array.isArray(dateRaw) ? (dateRaw[0] ?? '') : (dateRaw ?? ''));
  // The server's clock when our clock disagrees with its Date by seconds (the Go SDK always uses Date).
  const serverNow = !Number.isNaN(date) && Math.abs(date - now) >= 2000 ? date : now;
  return Math.max(0, reset * 1000 - serverNow);
}

export interface InspectOptions {
  /** `BATON_API_TOKEN` or `BATON_OKTA_CLIENT_ID`: the key a refusal names. */
  credentialKey: string;
  now?: () => number;
}

export function inspectOkta(options: InspectOptions) {
  const now = options.now ?? Date.now;
  return (res: ResponseInfo): ResponseVerdict | undefined => {
    if (res.status < 400) return undefined;
    const body = (res.body && typeof res.body === 'object' ? res.body : undefined) as OktaErrorBody | undefined;
    const code = body?.errorCode;
    const path = res.endpoint.split('?')[0] ?? res.endpoint;
    if (res.status === 429) {
      // One more second past Reset, as the Go SDK waits: Reset has whole-second precision.
      const wait = msUntilReset(res.headers, now());
      return { action: 'throttle', retryAfterMs: wait === undefined ? 1000 : wait + (header(res, 'x-rate-limit-reset')?.includes('.') ? 0 : 1000) };
    }
    if (res.status === 401) {
      return {
        action: 'fail',
        error: new ConnectorError(
          CONNECTOR,
          'unauthenticated',
          `${options.credentialKey} was rejected by Okta on ${path} (HTTP 401 ${code ?? ''}${body?.errorSummary ? ` "${body.errorSummary}"` : ''}): ${HINTS[E.invalidToken]}`,
        ),
      };
    }
    if (res.status === 403 && (code === E.accessDenied || code === undefined)) {
      return {
        action: 'fail',
        error: new ConnectorError(
          CONNECTOR,
          'permission_denied',
          `${options.credentialKey} may not call ${path} (HTTP 403 ${code ?? ''}${body?.errorSummary ? ` "${body.errorSummary}"` : ''}): ${HINTS[E.accessDenied]}`,
        ),
      };
    }
    if (res.status >= 500) return undefined;
    return { action: 'fail', error: new OktaApiError(res.status, `${res.method} ${path}`, body) };
  };
}

/** True for a ConnectorError raised from a 403 E0000006 (callers that tolerate it, as Go does). */
export function isAccessDenied(err: unknown): boolean {
  return err instanceof ConnectorError && err.code === 'permission_denied';
}

export function isNotFound(err: unknown): boolean {
  return err instanceof OktaApiError && (err.code === E.notFound || err.code === E.notFoundResource || err.status === 404);
}
