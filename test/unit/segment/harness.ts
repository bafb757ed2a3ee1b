// Starts the Segment simulator and builds the connector against it through the real HTTP client.
import { afterEach } from 'vitest';
import { SegmentClient } from '../../../lambdas/segment/client.ts';
import type { SegmentConfig } from '../../../lambdas/segment/config.ts';
import { connector as segmentConnector } from '../../../lambdas/segment/connector.ts';
import { type SegmentSim, type SegmentSimOptions, startSegmentSim } from '../../../lambdas/segment/sim/index.ts';
import type { HttpClientOptions } from '../../../shared/http/types.ts';
import { parseConnectorConfig } from '../../../shared/sync/config.ts';
import type { Connector } from '../../../shared/sync/connector.ts';
import { createRuntime, type TrackedRuntime } from '../../../shared/sync/runtime.ts';
import { fixedTenant } from './fixture.ts';

export const FAST: Partial<HttpClientOptions> = { baseBackoffMs: 2, maxBackoffMs: 10, maxRetries: 3 };

const running: SegmentSim[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

export async function sim(options: Partial<SegmentSimOptions> = {}): Promise<SegmentSim> {
  const s = await startSegmentSim({ tenant: fixedTenant(), rateLimits: 'off', ...options });
  running.push(s);
  return s;
}

export interface Built {
  connector: Connector;
  runtime: TrackedRuntime;
  config: SegmentConfig;
  client: SegmentClient;
  logs: { message: string; fields?: Record<string, unknown> }[];
}

export function build(secret: Record<string, string>, overrides: Partial<HttpClientOptions> = {}): Built {
  const logs: Built['logs'] = [];
  const runtime = createRuntime({
    secrets: Object.values(secret),
    httpOverrides: { ...FAST, ...overrides },
    log: (message, fields) => logs.push({ message, fields }),
  });
  const config = parseConnectorConfig(segmentConnector, secret);
  return { connector: segmentConnector.create(config, runtime), runtime, config, client: new SegmentClient(config, runtime), logs };
}
