// Running a connector against its simulator in a failure test: one sync into a fresh c1z with
// short backoffs, and the ConnectorError a failed run ends with.
import { join } from 'node:path';
import { expect } from 'vitest';
import { type ConnectorDefinition, ConnectorError } from '../../shared/sync/connector.ts';
import { syncToFile } from '../../shared/sync/run-sync.ts';
import { tempDir } from './tmp.ts';

/** Backoffs short enough for tests that force many retries. */
export const FAST_RETRIES = { baseBackoffMs: 5, maxBackoffMs: 20, timeoutMs: 1500 };

export function syncOnce<C>(connector: ConnectorDefinition<C>, secretMap: Record<string, string>, tempPrefix: string) {
  return syncToFile({ connector, secretMap, out: join(tempDir(tempPrefix), 'sync.c1z'), httpOverrides: FAST_RETRIES });
}

/** The ConnectorError `p` rejects with; fails the test if it resolves or rejects with anything else. */
export async function connectorFailure(p: Promise<unknown>): Promise<ConnectorError> {
  let err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  // The engine wraps a page's failure in a SyncStepError that names the step.
  if (!(err instanceof ConnectorError) && err instanceof Error && err.cause) err = err.cause;
  expect(err).toBeInstanceOf(ConnectorError);
  return err as ConnectorError;
}
