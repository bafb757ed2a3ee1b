// Connector configuration from AWS Secrets Manager.
//
// Secret format (README.md, "Secret format"): the secret's SecretString is a JSON object of the same `BATON_*`
// keys the Go connectors take, e.g. {"BATON_TOKEN": "xoxb-…", "BATON_BASE_URL": "https://…"}.
// - Values should be strings. Numbers and booleans are accepted and converted with String()
//   (people paste `"BATON_PAGE_SIZE": 100`); null, arrays and objects are rejected.
// - The map is then parsed with the connector's zod schema; unknown keys are the schema's business.
// - `secretValues` holds every non-empty value that was a string in the secret, for redaction of
//   logs and errors (converted numbers/booleans are not secrets worth redacting: redacting "true"
//   or "100" would mangle every log line).
//
// Errors are SecretConfigError: one line, naming the secret id and the offending key(s) (zod issue
// path), never a value, and with no `cause` that could carry one.
//
// Cache: per container (module level), keyed by secret id, holding the raw key→value map; an entry
// older than ttlMs (default 5 min) is fetched again, so a rotated secret is picked up by warm
// invocations. Failures are not cached. The schema runs on every call (it is cheap).
import { GetSecretValueCommand, type GetSecretValueCommandOutput, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { z } from 'zod';
import { describeIssues, errorCode } from '../errors.ts';
import { redact } from '../http/redact.ts';
import { fieldHelp } from '../sync/config-fields.ts';

export const DEFAULT_SECRET_TTL_MS = 5 * 60 * 1000;

export type SecretConfigErrorReason =
  | 'not-found'
  | 'access-denied'
  | 'decryption-failed'
  | 'aws-error'
  | 'binary'
  | 'empty'
  | 'not-json'
  | 'not-object'
  | 'invalid-value-type'
  | 'invalid-config';

export class SecretConfigError extends Error {
  override readonly name = 'SecretConfigError';
  readonly secretId: string;
  readonly reason: SecretConfigErrorReason;
  /** Keys (zod issue paths joined with '.') that are missing or invalid; empty when not about keys. */
  readonly keys: readonly string[];
  /** The AWS error name (e.g. ResourceNotFoundException) when the call failed. */
  readonly awsCode: string | undefined;
  /** Only a failed call may succeed later; a secret that is wrong stays wrong until someone fixes it. */
  get retryable(): boolean {
    return this.reason === 'aws-error';
  }

  constructor(secretId: string, reason: SecretConfigErrorReason, message: string, extra: { keys?: readonly string[]; awsCode?: string } = {}) {
    super(message);
    this.secretId = secretId;
    this.reason = reason;
    this.keys = extra.keys ?? [];
    this.awsCode = extra.awsCode;
  }
}

export interface LoadConnectorConfigOptions<C> {
  client: SecretsManagerClient;
  /** Secret name or ARN. */
  secretId: string;
  /** The connector's config schema; its input is the secret's key→string map. */
  schema: z.ZodType<C>;
  /** How long a fetched secret is reused in this container; default 5 minutes. 0 disables the cache. */
  ttlMs?: number;
  /** Epoch ms the cache ages by; default Date.now (tests move it instead of sleeping through the TTL). */
  now?: () => number;
}

export interface ConnectorConfig<C> {
  config: C;
  /** Every non-empty string value of the secret, for redaction. */
  secretValues: string[];
}

interface CacheEntry {
  fetchedAt: number;
  value: Promise<SecretMap>;
}

interface SecretMap {
  values: Record<string, string>;
  secretValues: string[];
}

const cache = new Map<string, CacheEntry>();

/** Forgets every cached secret (tests; or to force a re-read). */
export function clearSecretCache(): void {
  cache.clear();
}

/** Reads the connector's config from Secrets Manager (cached per container for ttlMs). */
export async function loadConnectorConfig<C>(options: LoadConnectorConfigOptions<C>): Promise<ConnectorConfig<C>> {
  const { client, secretId, schema } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  const now = (options.now ?? Date.now)();
  let entry = cache.get(secretId);
  if (!entry || ttlMs <= 0 || now - entry.fetchedAt >= ttlMs) {
    const value = fetchSecretMap(client, secretId);
    const fresh: CacheEntry = { fetchedAt: now, value };
    entry = fresh;
    cache.set(secretId, fresh);
    // Failures are not cached: the next call asks again.
    value.catch(() => {
      if (cache.get(secretId) === fresh) cache.delete(secretId);
    });
  }
  const map = await entry.value;
  return { config: parseConfig(secretId, schema, map), secretValues: [...map.secretValues] };
}

async function fetchSecretMap(client: SecretsManagerClient, secretId: string): Promise<SecretMap> {
  let out: GetSecretValueCommandOutput;
  try {
    out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  } catch (err) {
    throw awsError(secretId, err);
  }
  if (out.SecretString === undefined) {
    if (out.SecretBinary !== undefined) {
      throw new SecretConfigError(
        secretId,
        'binary',
        `secret ${q(secretId)} holds binary data (SecretBinary); store a JSON object of BATON_* keys as the secret string`,
      );
    }
    throw new SecretConfigError(secretId, 'empty', `secret ${q(secretId)} has no value; store a JSON object of BATON_* keys`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(out.SecretString);
  } catch {
    // The SyntaxError quotes the content: never pass it on.
    throw new SecretConfigError(secretId, 'not-json', `secret ${q(secretId)} is not valid JSON (content not shown); expected a JSON object of BATON_* keys`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SecretConfigError(secretId, 'not-object', `secret ${q(secretId)} must be a JSON object of BATON_* keys, got ${describeType(parsed)}`);
  }
  const values: Record<string, string> = {};
  const secretValues: string[] = [];
  const badKeys: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string') {
      values[key] = value;
      if (value !== '') secretValues.push(value);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      values[key] = String(value);
    } else {
      badKeys.push(`${key} (${describeType(value)})`);
    }
  }
  if (badKeys.length > 0) {
    throw new SecretConfigError(secretId, 'invalid-value-type', `secret ${q(secretId)}: values must be strings, numbers or booleans: ${badKeys.join(', ')}`, {
      keys: badKeys.map((k) => k.slice(0, k.lastIndexOf(' ('))),
    });
  }
  return { values, secretValues };
}

function parseConfig<C>(secretId: string, schema: z.ZodType<C>, map: SecretMap): C {
  const result = schema.safeParse(map.values);
  if (result.success) return result.data;
  // Zod's own messages carry no input values, but a connector's custom message might.
  const { keys, message } = describeIssues(result.error.issues, map.values, (s) => redact(s, map.secretValues), fieldHelp(schema));
  throw new SecretConfigError(secretId, 'invalid-config', `secret ${q(secretId)}: ${message}`, { keys });
}

function awsError(secretId: string, err: unknown): SecretConfigError {
  const code = errorCode(err, 'unknown error');
  switch (code) {
    case 'ResourceNotFoundException':
      return new SecretConfigError(secretId, 'not-found', `secret ${q(secretId)} not found (ResourceNotFoundException)`, { awsCode: code });
    case 'AccessDeniedException':
    case 'AccessDenied':
      return new SecretConfigError(
        secretId,
        'access-denied',
        `access denied reading secret ${q(secretId)} (${code}): the function's role needs secretsmanager:GetSecretValue on it`,
        { awsCode: code },
      );
    case 'DecryptionFailure':
      return new SecretConfigError(
        secretId,
        'decryption-failed',
        `secret ${q(secretId)} cannot be decrypted (DecryptionFailure): the role needs kms:Decrypt on the secret's key`,
        { awsCode: code },
      );
    default:
      return new SecretConfigError(secretId, 'aws-error', `reading secret ${q(secretId)} failed (${code})`, { awsCode: code });
  }
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

function q(s: string): string {
  return JSON.stringify(s);
}
