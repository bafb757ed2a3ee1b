import { createHttpClient } from '../http/client.ts';
import { systemClock, withDeadline } from '../http/clock.ts';
import { type BucketSnapshot, RateLimiter } from '../http/rate-limiter.ts';
import type { HttpClient, HttpOverrides, HttpStats } from '../http/types.ts';
import { waitNotice } from '../http/wait-notice.ts';
import type { ConnectorRuntime, ConnectorState } from './connector.ts';

export interface RuntimeOptions {
  /** Secret values (every string of the secret map) to scrub from errors and logs. */
  secrets?: string[];
  /** Overrides HttpClientOptions fields for every client (tests: rateLimitScale, short backoff), and their clock. */
  httpOverrides?: HttpOverrides;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Epoch ms no HTTP wait may end after (the slice's deadline). */
  deadline?: number;
  /** Backs ConnectorRuntime.hasResource (the sync database); none: nothing is known yet. */
  hasResource?: (resourceType: string, resourceId: string) => boolean;
  /** Backs ConnectorRuntime.state (the sync database); none: a map in memory, for one process. */
  state?: ConnectorState;
}

/** Connector state for a sync that has no database (mapping tests, one-off calls). */
export function memoryState(): ConnectorState {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key),
    set: (key, value) => void values.set(key, value),
    delete: (key) => void values.delete(key),
  };
}

export interface TrackedRuntime extends ConnectorRuntime {
  /** Sum of every client's stats, for the run's metrics. */
  httpStats(): HttpStats;
  /** Where every client-side rate limit stands (for the next slice). */
  rateLimits(): Record<string, BucketSnapshot>;
  /** Goes on at the pace an earlier slice of the sync left. */
  restoreRateLimits(snapshot: Readonly<Record<string, BucketSnapshot>>): void;
}

/** The runtime handed to connectors: builds their HTTP clients and keeps their stats. */
export function createRuntime(options: RuntimeOptions = {}): TrackedRuntime {
  const clients: HttpClient[] = [];
  const { clock, ...overrides } = options.httpOverrides ?? {};
  // One limiter for every client: the keys are the connector's own, and one snapshot covers them.
  const limiter = new RateLimiter({ scale: overrides.rateLimitScale ?? 1, clock: withDeadline(clock ?? systemClock, options.deadline) });
  return {
    state: options.state ?? memoryState(),
    http(clientOptions) {
      const client = createHttpClient(
        {
          ...clientOptions,
          ...overrides,
          ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
          secrets: [...(clientOptions.secrets ?? []), ...(options.secrets ?? [])],
          // Every throttle and long wait in the log, with its real length: a run is never silent.
          onEvent: (event) => {
            clientOptions.onEvent?.(event);
            options.httpOverrides?.onEvent?.(event);
            const notice = waitNotice(event);
            if (notice && 'waitMs' in event) options.log?.(notice, { httpEvent: event.type, waitMs: event.waitMs });
          },
        },
        { ...(clock ? { clock } : {}), limiter },
      );
      clients.push(client);
      return client;
    },
    log(message, fields) {
      options.log?.(message, fields);
    },
    hasResource(resourceType, resourceId) {
      return options.hasResource?.(resourceType, resourceId) ?? false;
    },
    rateLimits: () => limiter.snapshot(),
    restoreRateLimits: (snapshot) => limiter.restore(snapshot),
    httpStats() {
      const total: HttpStats = { requests: 0, retries: 0, throttles: 0, errors: 0, byRoute: {} };
      for (const { stats } of clients) {
        total.requests += stats.requests;
        total.retries += stats.retries;
        total.throttles += stats.throttles;
        total.errors += stats.errors;
        for (const [route, s] of Object.entries(stats.byRoute)) {
          const t = (total.byRoute[route] ??= { count: 0, totalMs: 0, maxMs: 0, errors: 0 });
          t.count += s.count;
          t.totalMs += s.totalMs;
          t.maxMs = Math.max(t.maxMs, s.maxMs);
          t.errors += s.errors;
        }
      }
      return total;
    },
  };
}
