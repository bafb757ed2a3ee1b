// Runs a durable handler the way Lambda's durable execution does, offline: the SDK's local test
// runner replays the handler per invocation, with real waits (short) and real step retries.
import type { DurableLambdaHandler } from '@aws/durable-execution-sdk-js';
import { LocalDurableTestRunner } from '@aws/durable-execution-sdk-js-testing';

let ready: Promise<void> | undefined;

/** Runs one execution to its end: the result, or an Error with the execution's error message. */
export async function runDurable<T>(handler: DurableLambdaHandler, payload: unknown = {}): Promise<{ result: T; invocations: number; operations: string[] }> {
  // Real time (no skipping): the connectors' HTTP clients and simulators run on real timers.
  ready ??= LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
  await ready;
  const runner = new LocalDurableTestRunner({ handlerFunction: handler });
  const execution = await runner.run({ payload });
  if (execution.getStatus() !== 'SUCCEEDED') {
    const e = execution.getError();
    throw Object.assign(new Error(e?.errorMessage ?? `execution ended ${execution.getStatus()}`), { name: e?.errorType ?? 'Error' });
  }
  return {
    result: execution.getResult() as T,
    invocations: execution.getInvocations().length,
    operations: execution.getOperations().map((o) => o.getName() ?? '?'),
  };
}
