// Turns the responses Fullstory gives for bad credentials, wrong URLs and non-JSON bodies into one
// clear ConnectorError naming the mode and the key, before the HTTP client's generic rules (which
// still handle 429 + Retry-After and retry 5xx).
import { ConnectorError } from '../../shared/sync/connector.ts';
import type { ResponseInfo, ResponseVerdict } from '../../shared/http/types.ts';

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
        error: modeError(mode, 'bad_response', `${info.method} ${info.endpoint} returned HTTP ${info.status} with a non-JSON body (${type || 'no content type'})${hint}`),
      };
    }
    return undefined;
  };
}
