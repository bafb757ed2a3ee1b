import { createHttpClient } from '../http/client.ts';
import type { HttpClient, HttpClientOptions, HttpStats } from '../http/types.ts';
import { waitNotice } from '../http/wait-notice.ts';
import type { ConnectorRuntime, ConnectorState } from './connector.ts';

export interface RuntimeOptions {
  /** Secret values (every string of the secret map) to scrub from errors and logs. */
  secrets?: string[];
  /** Overrides HttpClientOptions fields for every client (tests: rateLimitScale, short backoff). */
  httpOverrides?: Partial<HttpClientOptions>;
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
}

/** The runtime handed to connectors: builds their HTTP clients and keeps their stats. */
export function createRuntime(options: RuntimeOptions = {}): TrackedRuntime {
  const clients: HttpClient[] = [];
  return {
    state: options.state ?? memoryState(),
    http(clientOptions) {
      const client = createHttpClient({
        ...clientOptions,
        ...options.httpOverrides,
        ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
        secrets: [...(clientOptions.secrets ?? []), ...(options.secrets ?? [])],
        // Every throttle and long wait in the log, with its real length: a run is never silent.
        onEvent: (event) => {
          clientOptions.onEvent?.(event);
          options.httpOverrides?.onEvent?.(event);
          const notice = waitNotice(event);
          if (notice && 'waitMs' in event) options.log?.(notice, { httpEvent: event.type, waitMs: event.waitMs });
        },
      });
      clients.push(client);
      return client;
    },
    log(message, fields) {
      options.log?.(message, fields);
    },
    hasResource(resourceType, resourceId) {
      return options.hasResource?.(resourceType, resourceId) ?? false;
    },
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
