// Powertools logger and metrics for one connector's function: created once per container.
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Counts } from '../c1z/writer.ts';
import type { HttpStats } from '../http/types.ts';
import { DEFAULT_NAMESPACE, METRIC, SERVICE_NAME } from './names.ts';

export { DEFAULT_NAMESPACE, METRIC, SERVICE_NAME };

export interface Telemetry {
  logger: Logger;
  metrics: Metrics;
}

/**
 * `connector` is the connector type, `instance` its instance id (several Segment workspaces, say):
 * the dashboard and alarms read exactly the dimensions {service, connector, instance}.
 */
export function createTelemetry(connector: string, instance = connector, namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_NAMESPACE): Telemetry {
  return {
    logger: new Logger({ serviceName: SERVICE_NAME, persistentKeys: { connector, instance } }),
    metrics: new Metrics({ namespace, serviceName: SERVICE_NAME, defaultDimensions: { connector, instance } }),
  };
}

export interface RunOutcome {
  ok: boolean;
  durationMs: number;
  counts?: Counts;
  bytes?: number;
  http?: HttpStats;
}

/** Records one run and flushes, whatever the outcome (a failed run still reports its API use). */
export function publishRun(metrics: Metrics, o: RunOutcome): void {
  metrics.addMetric(METRIC.succeeded, MetricUnit.Count, o.ok ? 1 : 0);
  metrics.addMetric(METRIC.failed, MetricUnit.Count, o.ok ? 0 : 1);
  metrics.addMetric(METRIC.durationMs, MetricUnit.Milliseconds, o.durationMs);
  if (o.counts) {
    metrics.addMetric(METRIC.resourceTypes, MetricUnit.Count, o.counts.resourceTypes);
    metrics.addMetric(METRIC.resources, MetricUnit.Count, o.counts.resources);
    metrics.addMetric(METRIC.entitlements, MetricUnit.Count, o.counts.entitlements);
    metrics.addMetric(METRIC.grants, MetricUnit.Count, o.counts.grants);
  }
  if (o.bytes !== undefined) metrics.addMetric(METRIC.c1zBytes, MetricUnit.Bytes, o.bytes);
  if (o.http) {
    metrics.addMetric(METRIC.apiRequests, MetricUnit.Count, o.http.requests);
    metrics.addMetric(METRIC.apiRetries, MetricUnit.Count, o.http.retries);
    metrics.addMetric(METRIC.apiThrottles, MetricUnit.Count, o.http.throttles);
  }
  metrics.publishStoredMetrics();
}
