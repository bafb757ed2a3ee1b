// Authenticates a ConductorOne webhook before anything reads its body: the body digest, the JWT's
// signature (tenant JWKS) and claims, then the jti's first use. Every failure is Unauthorized with
// a reason for our log; the caller answers 401 and changes nothing.
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { z } from 'zod';
import { ProvisionUnavailable } from './failure.ts';
import type { ReplayStore } from './replay.ts';

export class Unauthorized extends Error {
  override readonly name = 'Unauthorized';
}

export interface WebhookRequest {
  method: string;
  /** This endpoint's public URL as the sender addressed it (query included, if any). */
  url: URL;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

export interface VerifierOptions {
  /** Tenant domain, e.g. `acme.conductor.one`: the `iss` claim. */
  tenant: string;
  /** Key source; default the tenant's `https://<tenant>/auth/v1/jwks`, fetched and cached by jose. */
  jwks?: JWTVerifyGetKey;
  replay: ReplayStore;
  /** Seconds of clock skew tolerated on exp/nbf; default 5 (nbf already has a minute's slack). */
  clockToleranceSec?: number;
  now?: () => number;
}

export interface VerifiedToken {
  jti: string;
  expiresAtMs: number;
}

const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

// jti becomes an S3 key: keep it to characters that need no escaping.
const claimsSchema = z.object({
  c1typ: z.literal('wh'),
  htm: z.string(),
  htu: z.string(),
  htb_s256: z.string(),
  jti: z.string().regex(/^[A-Za-z0-9._~-]{1,200}$/),
  exp: z.number(),
});

export function jwksUrlFor(tenant: string): URL {
  return new URL(`https://${tenant}/auth/v1/jwks`);
}

/** The jose key set for a JWKS URL: fetched on first use, cached, refetched for an unknown kid. */
export function remoteJwks(url: URL): JWTVerifyGetKey {
  return createRemoteJWKSet(url, { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
}

export function sha256Base64(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('base64');
}

/** `sha-256=<b64>` as the docs show it, or RFC 9530's `sha-256=:<b64>:`; other algorithms ignored. */
export function contentDigest(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /^\s*sha-256\s*=\s*:?([A-Za-z0-9+/=]+):?\s*$/i.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

/** `https://host/path` with no query or fragment, host lower-cased and default port dropped. */
function withoutQuery(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

const JWKS_OUTAGE_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID']);

/** A failure to get the key set, as opposed to a token the keys reject. */
function jwksUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('ERR_J')) return true; // fetch itself failed
  if (JWKS_OUTAGE_CODES.has(code)) return true;
  return code === 'ERR_JOSE_GENERIC' && /JSON Web Key Set HTTP response/.test((err as Error).message);
}

export function createVerifier(options: VerifierOptions): (req: WebhookRequest) => Promise<VerifiedToken> {
  const keys = options.jwks ?? remoteJwks(jwksUrlFor(options.tenant));
  const now = options.now ?? Date.now;
  return async (req) => {
    const auth = req.headers.authorization;
    const bearer = auth ? /^bearer\s+(\S+)\s*$/i.exec(auth)?.[1] : undefined;
    if (!bearer) throw new Unauthorized('no bearer token');
    const digest = sha256Base64(req.body);
    const declared = contentDigest(req.headers['content-digest']);
    if (declared === undefined) throw new Unauthorized('no sha-256 Content-Digest header');
    if (declared !== digest) throw new Unauthorized('Content-Digest does not match the body');

    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(bearer, keys, {
        issuer: options.tenant,
        // C1 sends the hostname; with a port (local testing) the host form is accepted too.
        audience: [req.url.hostname, req.url.host],
        algorithms: ALGORITHMS,
        clockTolerance: options.clockToleranceSec ?? 5,
        requiredClaims: ['exp', 'nbf', 'iat', 'jti'],
        currentDate: new Date(now()),
      }));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // The keys could not be had (timeout, network, a non-200 or garbled JWKS): says nothing about
      // the token, so 503 and C1 delivers again, instead of a 401 it would not retry.
      if (jwksUnavailable(err)) throw new ProvisionUnavailable(`cannot fetch the tenant's signing keys (JWKS): ${(err as Error).message}`);
      throw new Unauthorized(`token rejected (${typeof code === 'string' ? code : 'invalid'}): ${(err as Error).message}`);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new Unauthorized(`token claims invalid: ${claims.error.issues.map((i) => i.path.join('.') || 'claims').join(', ')}`);
    const c = claims.data;
    if (c.htm !== 'POST' || req.method !== 'POST') throw new Unauthorized(`method mismatch (htm ${c.htm}, request ${req.method})`);
    let htu: string;
    try {
      htu = withoutQuery(new URL(c.htu));
    } catch {
      throw new Unauthorized('htu is not a URL');
    }
    if (htu !== withoutQuery(req.url)) throw new Unauthorized(`htu ${htu} is not this endpoint (${withoutQuery(req.url)})`);
    if (c.htb_s256 !== digest) throw new Unauthorized('htb_s256 does not match the body');
    const expiresAtMs = c.exp * 1000;
    if (!(await options.replay.claim(c.jti, expiresAtMs))) throw new Unauthorized(`token ${c.jti} was already used`);
    return { jti: c.jti, expiresAtMs };
  };
}
