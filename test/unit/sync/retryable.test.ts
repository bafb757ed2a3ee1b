import { describe, expect, it } from 'vitest';
import { UploadError } from '../../../shared/aws/s3-request.ts';
import { SecretConfigError } from '../../../shared/aws/secrets.ts';
import { ConfigError, isRetryable } from '../../../shared/errors.ts';
import { HttpError, type HttpErrorKind } from '../../../shared/http/errors.ts';
import { ProvisionRefused, ProvisionUnavailable } from '../../../shared/provisioning/failure.ts';
import { ConnectorError } from '../../../shared/sync/connector.ts';
import { SyncStepError } from '../../../shared/sync/engine.ts';
import { CheckpointError } from '../../../shared/sync/run-sync.ts';

const http = (kind: HttpErrorKind) => new HttpError({ app: 'app', method: 'GET', endpoint: '/x', kind, detail: 'failed' });

describe('isRetryable: one verdict for syncs and provisioning', () => {
  it.each([
    ['server', true],
    ['throttle', true],
    ['network', true],
    ['timeout', true],
    ['body', true],
    ['schema', false],
    ['auth', false],
    ['client', false],
  ] as const)('HttpError of kind %s → %s', (kind, verdict) => {
    expect(isRetryable(http(kind))).toBe(verdict);
    // The engine wraps a page's failure; the verdict is the cause's.
    expect(isRetryable(new SyncStepError('listing users', http(kind)))).toBe(verdict);
  });

  it('our own errors say what they are', () => {
    expect(isRetryable(new ConfigError('bad', ['BATON_TOKEN']))).toBe(false);
    expect(isRetryable(new ConnectorError('slack', 'scope', 'missing scope'))).toBe(false);
    expect(isRetryable(new CheckpointError('not a c1z'))).toBe(false);
    expect(isRetryable(new SecretConfigError('s', 'aws-error', 'failed'))).toBe(true);
    expect(isRetryable(new SecretConfigError('s', 'not-json', 'bad'))).toBe(false);
    expect(isRetryable(new UploadError('b', 'k', 'AccessDenied', 'denied', { httpStatus: 403 }))).toBe(false);
    expect(isRetryable(new UploadError('b', 'k', 'InternalError', 'oops', { httpStatus: 500 }))).toBe(true);
    expect(isRetryable(new ProvisionUnavailable('s3 down'))).toBe(true);
    expect(isRetryable(new ProvisionRefused('unknown user'))).toBe(false);
  });

  it('network codes are retryable, anything unknown is not', () => {
    expect(isRetryable(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new Error('wrapped', { cause: Object.assign(new Error('x'), { name: 'SlowDown' }) }))).toBe(true);
    expect(isRetryable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isRetryable('a string')).toBe(false);
  });
});
