// Credentials for Okta's management API: an SSWS API token as is, or an OAuth 2.0 access token
// from the org authorization server's token endpoint (client credentials, private_key_jwt: a
// short-lived JWT signed with the service app's RSA key authenticates the client).
import { createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import type { HttpClient, ResponseInfo, ResponseVerdict } from '../../shared/http/types.ts';
import { ConnectorError } from '../../shared/sync/connector.ts';
import type { OktaOAuth } from './config.ts';
import { CONNECTOR, inspectOkta } from './errors.ts';

export const TOKEN_PATH = '/oauth2/v1/token';
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const tokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string(), expires_in: z.number().positive().optional() });

/** Renews this long before Okta's expiry, so no request carries a token that expires in flight. */
const RENEW_EARLY_MS = 60_000;

export interface Credentials {
  /** The Authorization header value for the next request. */
  authorization(): Promise<string>;
  /** The access token was refused (HTTP 401): forget it, so the next call fetches a new one. */
  refused(): void;
  readonly oauth: boolean;
}

export function ssws(token: string): Credentials {
  const value = `SSWS ${token}`;
  return { authorization: async () => value, refused() {}, oauth: false };
}

export function clientCredentials(http: HttpClient, oauth: OktaOAuth, audience: string, scopes: string[], now: () => number = Date.now): Credentials {
  const key = createPrivateKey(oauth.privateKey);
  let cached: { value: string; until: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const iat = Math.floor(now() / 1000);
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: oauth.keyId })
      .setIssuer(oauth.clientId)
      .setSubject(oauth.clientId)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 300)
      .setJti(randomUUID())
      .sign(key);
    const answer = await http.request({
      method: 'POST',
      path: TOKEN_PATH,
      form: { grant_type: 'client_credentials', scope: scopes.join(' '), client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion },
      schema: tokenSchema,
      route: 'POST /oauth2/v1/token',
    });
    if (answer.token_type.toLowerCase() !== 'bearer') {
      throw new ConnectorError(
        CONNECTOR,
        'unsupported',
        `BATON_OKTA_CLIENT_ID: Okta issued a ${answer.token_type} token; this connector sends Bearer tokens (turn off "Require DPoP" on the service app)`,
      );
    }
    cached = { value: `Bearer ${answer.access_token}`, until: now() + (answer.expires_in ?? 3600) * 1000 - RENEW_EARLY_MS };
    return cached.value;
  }

  return {
    oauth: true,
    authorization() {
      if (cached && now() < cached.until) return Promise.resolve(cached.value);
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    refused() {
      cached = undefined;
    },
  };
}

/** The token endpoint answers OAuth errors (`{error, error_description}`), not Okta error codes. */
export function inspectTokenEndpoint(scopes: string[]) {
  const okta = inspectOkta({ credentialKey: 'BATON_OKTA_CLIENT_ID' });
  return (res: ResponseInfo): ResponseVerdict | undefined => {
    const body = (res.body ?? {}) as { error?: unknown; error_description?: unknown };
    if (res.status >= 400 && res.status < 500 && res.status !== 429 && typeof body.error === 'string') {
      const why = `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`;
      const hint =
        body.error === 'invalid_scope'
          ? `grant the service app the scopes ${scopes.join(', ')} (Okta API Scopes tab)`
          : 'check BATON_OKTA_CLIENT_ID, and that BATON_OKTA_PRIVATE_KEY matches the public key registered on the app under BATON_OKTA_PRIVATE_KEY_ID';
      return {
        action: 'fail',
        error: new ConnectorError(
          CONNECTOR,
          'unauthenticated',
          `BATON_OKTA_CLIENT_ID: Okta's token endpoint refused the client (HTTP ${res.status} ${why}); ${hint}`,
        ),
      };
    }
    return okta(res);
  };
}
