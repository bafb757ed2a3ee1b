// Error paths and cache behaviour moto cannot produce, with aws-sdk-client-mock.

import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clearSecretCache, loadConnectorConfig, SecretConfigError } from '../../../shared/aws/secrets.ts';

const client = new SecretsManagerClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const sm = mockClient(client);
const schema = z.object({ BATON_TOKEN: z.string() });

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

beforeEach(() => {
  sm.reset();
  clearSecretCache();
});

describe('loadConnectorConfig (mocked Secrets Manager)', () => {
  it('reports access denied with the secret id and what the role needs', async () => {
    sm.on(GetSecretValueCommand).rejects(awsError('AccessDeniedException', 'User: arn:aws:sts::1:assumed-role/x is not authorized'));
    const err = (await loadConnectorConfig({ client, secretId: 'baton/slack', schema }).catch((e: unknown) => e)) as SecretConfigError;
    expect(err).toBeInstanceOf(SecretConfigError);
    expect(err.reason).toBe('access-denied');
    expect(err.awsCode).toBe('AccessDeniedException');
    expect(err.message).toBe(
      'access denied reading secret "baton/slack" (AccessDeniedException): the function\'s role needs secretsmanager:GetSecretValue on it',
    );
  });

  it('reports a KMS decryption failure', async () => {
    sm.on(GetSecretValueCommand).rejects(awsError('DecryptionFailure', 'KMS says no'));
    await expect(loadConnectorConfig({ client, secretId: 's', schema })).rejects.toMatchObject({ reason: 'decryption-failed' });
  });

  it('reports any other AWS error by name', async () => {
    sm.on(GetSecretValueCommand).rejects(awsError('InvalidRequestException', 'marked for deletion'));
    await expect(loadConnectorConfig({ client, secretId: 's', schema })).rejects.toThrow('reading secret "s" failed (InvalidRequestException)');
  });

  it('reports a secret with no value', async () => {
    sm.on(GetSecretValueCommand).resolves({});
    await expect(loadConnectorConfig({ client, secretId: 's', schema })).rejects.toMatchObject({ reason: 'empty' });
  });

  it('shares one GetSecretValue between concurrent callers and within the TTL', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"BATON_TOKEN":"t1"}' });
    const [a, b] = await Promise.all([loadConnectorConfig({ client, secretId: 's', schema }), loadConnectorConfig({ client, secretId: 's', schema })]);
    await loadConnectorConfig({ client, secretId: 's', schema });
    expect(a.config.BATON_TOKEN).toBe('t1');
    expect(b.secretValues).toEqual(['t1']);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    // Another secret id is another entry.
    await loadConnectorConfig({ client, secretId: 'other', schema });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('reads every time with ttlMs 0, and clearSecretCache forgets', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"BATON_TOKEN":"t1"}' });
    await loadConnectorConfig({ client, secretId: 's', schema, ttlMs: 0 });
    await loadConnectorConfig({ client, secretId: 's', schema, ttlMs: 0 });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    // A read with ttlMs 0 still refreshes the cache: the next default read reuses it.
    await loadConnectorConfig({ client, secretId: 's', schema });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    clearSecretCache();
    await loadConnectorConfig({ client, secretId: 's', schema });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it('lists every bad key on one line', async () => {
    const multi = z.object({ BATON_TOKEN: z.string(), BATON_SUBDOMAIN: z.string().regex(/^[a-z]+$/), BATON_ORG: z.string() });
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"BATON_TOKEN":"abc-123-secret","BATON_SUBDOMAIN":"NOT OK 123"}' });
    const err = (await loadConnectorConfig({ client, secretId: 's', schema: multi }).catch((e: unknown) => e)) as SecretConfigError;
    expect(err.keys).toEqual(['BATON_SUBDOMAIN', 'BATON_ORG']);
    expect(err.message).toMatch(/^secret "s": BATON_SUBDOMAIN: [^;]+; BATON_ORG: required key is missing$/);
    expect(err.message).not.toContain('NOT OK 123');
    expect(err.message).not.toContain('abc-123-secret');
  });
});
