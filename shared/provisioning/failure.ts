// Which failures ConductorOne should retry. A transient one (the app's 5xx, 429s or timeouts that
// outlasted the HTTP client's own retries, a storage outage) answers 503 so C1 delivers again; a
// permanent one (unknown user, missing scope, unsupported entitlement) answers `errored` at once,
// since retrying it 50 times would only delay the fall-back to manual provisioning. The verdict
// is the one syncs use: isRetryable (shared/errors.ts), from each error's `retryable`.

/** A request we understood and refuse for good: unknown instance, entitlement or principal. */
export class ProvisionRefused extends Error {
  override readonly name = 'ProvisionRefused';
  readonly retryable = false;
}

/** An infrastructure failure on our side that a later delivery may not meet (S3, Secrets Manager). */
export class ProvisionUnavailable extends Error {
  override readonly name = 'ProvisionUnavailable';
  readonly retryable = true;
}
