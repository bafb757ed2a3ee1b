// The provisioning Lambda: one function for every connector instance, behind a Function URL
// (`<url>/<instance id>`), plus a manual invoke for operators. It loads connectors through the
// registry (never their simulators: the bundle leaves sim code out).

import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { loadConnectorConfig, SecretConfigError } from '../shared/aws/secrets.ts';
import { oneLine } from '../shared/errors.ts';
import type { HttpClientOptions } from '../shared/http/types.ts';
import { type ProvisionAudit, powertoolsAudit } from '../shared/provisioning/audit.ts';
import { type C1zSource, s3C1z } from '../shared/provisioning/c1z-source.ts';
import { handleWebhook } from '../shared/provisioning/endpoint.ts';
import { executeProvision, type InstanceHandle, type ProvisionResult } from '../shared/provisioning/execute.ts';
import { ProvisionRefused, ProvisionUnavailable } from '../shared/provisioning/failure.ts';
import { createInstance } from '../shared/provisioning/instance.ts';
import { S3ReplayStore } from '../shared/provisioning/replay-s3.ts';
import { createVerifier, jwksUrlFor, remoteJwks } from '../shared/provisioning/verify.ts';
import { type ConnectorName, isConnectorName, loadConnector } from './index.ts';

const instanceSchema = z.object({
  /** Registry name: `segment`, `slack`, … */
  connector: z.string().refine(isConnectorName, 'not a connector in the registry'),
  secretId: z.string().min(1),
  /** `<prefix>/<id>/sync.c1z`: where this instance's sync writes. */
  objectKey: z.string().min(1),
});

const instancesSchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().regex(/^[A-Za-z0-9._-]+$/, 'instance ids are URL path segments: letters, digits, . _ -'), instanceSchema));

const envSchema = z.object({
  BUCKET: z.string().min(3),
  /** Tenant domain, e.g. `acme.conductor.one`: the token issuer and the JWKS host. */
  TENANT: z.string().regex(/^[a-z0-9.-]+$/i, 'a domain like acme.conductor.one'),
  INSTANCES: instancesSchema,
  /** Key prefix of the jti replay markers, e.g. `provisioning/jti/`. */
  JTI_PREFIX: z.string().min(1),
  JWKS_URL: z.url().optional(),
  POWERTOOLS_METRICS_NAMESPACE: z.string().optional(),
  WORK_ROOT: z.string().default('/tmp'),
  SECRET_TTL_SECONDS: z.coerce.number().nonnegative().default(300),
});
export type ProvisioningEnv = z.infer<typeof envSchema>;

export function parseProvisioningEnv(env: Record<string, string | undefined>): ProvisioningEnv {
  const parsed = envSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${env[String(i.path[0])] === undefined ? 'not set' : i.message}`);
  throw new Error(`provisioning function environment is invalid: ${problems.join('; ')}`);
}

/** Lambda Function URL event, payload format 2.0 (the fields read). */
const urlEventSchema = z.object({
  rawPath: z.string(),
  rawQueryString: z.string().optional(),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({ domainName: z.string(), http: z.object({ method: z.string() }) }),
});

const manualEventSchema = z.object({
  action: z.enum(['grant', 'revoke']),
  connector: z.string().min(1),
  entitlementId: z.string().min(1),
  principalId: z.string().min(1),
});

export interface UrlResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface ProvisioningDeps {
  s3?: S3Client;
  secrets?: SecretsManagerClient;
  env?: Record<string, string | undefined>;
  audit?: ProvisionAudit;
  /** Tests: short backoff against a simulator. */
  httpOverrides?: Partial<HttpClientOptions>;
}

export function makeProvisioningHandler(deps: ProvisioningDeps = {}) {
  const env = parseProvisioningEnv(deps.env ?? process.env);
  const s3 = deps.s3 ?? new S3Client({ forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });
  const secretsClient = deps.secrets ?? new SecretsManagerClient({});
  const audit = deps.audit ?? powertoolsAudit(env.POWERTOOLS_METRICS_NAMESPACE);
  const verify = createVerifier({
    tenant: env.TENANT,
    jwks: remoteJwks(env.JWKS_URL ? new URL(env.JWKS_URL) : jwksUrlFor(env.TENANT)),
    replay: new S3ReplayStore({ client: s3, bucket: env.BUCKET, prefix: env.JTI_PREFIX }),
  });
  // Per container: connectors (and their rate-limit buckets) and downloaded c1z files are reused.
  const c1zSources = new Map<string, C1zSource>();
  const handles = new Map<string, { at: number; handle: Promise<InstanceHandle> }>();

  async function build(id: string): Promise<InstanceHandle> {
    const spec = env.INSTANCES[id]!;
    const definition = await loadConnector(spec.connector as ConnectorName);
    let loaded;
    try {
      loaded = await loadConnectorConfig({
        client: secretsClient,
        secretId: spec.secretId,
        schema: definition.configSchema,
        ttlMs: env.SECRET_TTL_SECONDS * 1000,
      });
    } catch (err) {
      if (err instanceof SecretConfigError && err.reason === 'aws-error') throw new ProvisionUnavailable(err.message);
      throw new ProvisionRefused(oneLine(err));
    }
    let c1z = c1zSources.get(id);
    if (!c1z) c1zSources.set(id, (c1z = s3C1z({ client: s3, bucket: env.BUCKET, key: spec.objectKey, workDir: join(env.WORK_ROOT, 'provisioning') })));
    return createInstance({ id, definition, config: loaded.config, secrets: loaded.secretValues, c1z, httpOverrides: deps.httpOverrides });
  }

  /** Rebuilt after the secret TTL so a rotated credential is picked up by warm containers. */
  function instance(id: string): Promise<InstanceHandle | undefined> {
    if (!Object.hasOwn(env.INSTANCES, id)) return Promise.resolve(undefined);
    const cached = handles.get(id);
    if (cached && Date.now() - cached.at < env.SECRET_TTL_SECONDS * 1000) return cached.handle;
    const handle = build(id);
    handles.set(id, { at: Date.now(), handle });
    handle.catch(() => handles.delete(id));
    return handle;
  }

  return async function handler(event: unknown): Promise<UrlResponse | ProvisionResult> {
    const url = urlEventSchema.safeParse(event);
    if (url.success) {
      const e = url.data;
      const body = e.body === undefined ? Buffer.alloc(0) : Buffer.from(e.body, e.isBase64Encoded ? 'base64' : 'utf8');
      const target = new URL(`https://${e.requestContext.domainName}${e.rawPath}${e.rawQueryString ? `?${e.rawQueryString}` : ''}`);
      const headers = Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const res = await handleWebhook({ method: e.requestContext.http.method, url: target, headers, body }, { verify, instance, audit });
      return { statusCode: res.status, headers: res.headers, body: res.body };
    }
    const manual = manualEventSchema.safeParse(event);
    if (!manual.success)
      throw new Error('unrecognised event: expected a Function URL request or {"action":"grant"|"revoke","connector","entitlementId","principalId"}');
    const m = manual.data;
    let handle: InstanceHandle | undefined;
    try {
      handle = await instance(m.connector);
    } catch (err) {
      return { status: err instanceof ProvisionUnavailable ? 'transient' : 'errored', comment: oneLine(err) };
    }
    if (!handle) return { status: 'errored', comment: `no connector instance ${JSON.stringify(m.connector)} in INSTANCES` };
    return executeProvision(handle, m.action, { kind: 'ids', entitlementId: m.entitlementId, principalId: m.principalId }, audit, 'manual');
  };
}

let cold: ReturnType<typeof makeProvisioningHandler> | undefined;

/** The Lambda entry: env is read on the first event so a bad one fails that event, loudly. */
export async function handler(event: unknown): Promise<UrlResponse | ProvisionResult> {
  cold ??= makeProvisioningHandler();
  return cold(event);
}
