// A stand-in for ConductorOne in tests: a key pair made here, its JWKS served on loopback, and
// requests signed the way the webhook docs describe (claims, Content-Digest).
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export const TENANT = 'acme.conductor.one';

export interface Issuer {
  jwksUrl: URL;
  /** JWKS fetches served. */
  fetches(): number;
  sign(claims: JWTPayload, options?: { key?: CryptoKey; alg?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startIssuer(alg: 'ES256' | 'RS256' | 'EdDSA' = 'ES256'): Promise<Issuer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg, use: 'sig' };
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    jwksUrl: new URL(`http://127.0.0.1:${port}/auth/v1/jwks`),
    fetches: () => fetches,
    async sign(claims, options = {}) {
      return new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? alg, kid: 'test-key' }).sign(options.key ?? privateKey);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function digest(body: string): string {
  return createHash('sha256').update(body).digest('base64');
}

/** The claims C1 puts in a webhook token for `url` and `body`, overridable one by one. */
export function claimsFor(url: string, body: string, over: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const u = new URL(url);
  return {
    aud: u.hostname,
    c1typ: 'wh',
    exp: now + 120,
    htb_s256: digest(body),
    htm: 'POST',
    htu: `${u.origin}${u.pathname}`,
    iat: now,
    iss: TENANT,
    jti: randomUUID().replaceAll('-', ''),
    nbf: now - 60,
    ...over,
  };
}

export interface SendOptions {
  claims?: JWTPayload;
  /** Replace the token entirely ('' = no Authorization header). */
  token?: string;
  digestHeader?: string;
  method?: string;
  key?: CryptoKey;
}

export async function send(issuer: Issuer, url: string, body: string, options: SendOptions = {}): Promise<{ status: number; json: unknown; token: string }> {
  const token = options.token ?? (await issuer.sign(claimsFor(url, body, options.claims), { key: options.key }));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-digest': options.digestHeader ?? `sha-256=${digest(body)}`,
    'webhook-version': 'v1',
    'webhook-event': 'c1.webhooks.v1.PayloadProvisionStep',
  };
  if (token) headers.authorization = `bearer ${token}`;
  const res = await fetch(url, { method: options.method ?? 'POST', headers, body: options.method === 'GET' ? undefined : body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, token };
}

export function testBody(): string {
  return JSON.stringify({
    version: 'v1',
    webhookId: 'wh1',
    callbackUrl: 'https://acme.conductor.one/api/v1/webhooks/callback/x',
    event: 'c1.webhooks.v1.PayloadTest',
    payload: { '@type': 'type.googleapis.com/c1.webhooks.v1.PayloadTest' },
  });
}

export interface ProvisionBodyInit {
  action: 'grant' | 'revoke' | 'certify';
  /** The baton entitlement id, placed in sourceConnectorIds. */
  entitlementId: string;
  appUser: { email?: string; username?: string; profile?: Record<string, unknown> };
  /** Put the task under `payload.task` instead of flattening it beside `@type`. */
  nested?: boolean;
  taskId?: string;
}

/** A PayloadProvisionStep body in the shape of GetTask's response (SDK models). */
export function provisionBody(init: ProvisionBodyInit): string {
  const response = {
    taskView: {
      task: {
        id: init.taskId ?? 'task-1',
        numericId: '42',
        displayName: 'Access request',
        state: 'TASK_STATE_OPEN',
        type: { [init.action]: { appEntitlementId: 'ae-1', appId: 'app-1', appUserId: 'au-1', identityUserId: 'iu-1' } },
      },
      appUserPath: '$.expanded[1]',
      entitlementsPath: '$.expanded[0]',
    },
    expanded: [
      {
        '@type': 'type.googleapis.com/c1.api.app.v1.AppEntitlement',
        id: 'ae-1',
        appId: 'app-1',
        displayName: init.entitlementId,
        sourceConnectorIds: { 'connector-1': init.entitlementId },
      },
      { '@type': 'type.googleapis.com/c1.api.app.v1.AppUser', id: 'au-1', appId: 'app-1', ...init.appUser },
      { '@type': 'type.googleapis.com/c1.api.app.v1.App', id: 'app-1', displayName: 'The app' },
    ],
  };
  const payload = init.nested
    ? { '@type': 'type.googleapis.com/c1.webhooks.v1.PayloadProvisionStep', task: response }
    : { '@type': 'type.googleapis.com/c1.webhooks.v1.PayloadProvisionStep', ...response };
  return JSON.stringify({
    version: 'v1',
    webhookId: 'wh1',
    callbackUrl: 'https://acme.conductor.one/cb',
    event: 'c1.webhooks.v1.PayloadProvisionStep',
    payload,
  });
}
