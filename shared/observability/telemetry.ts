// Powertools logger and metrics for one connector's function: created once per container.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_NAMESPACE, METRIC, SERVICE_NAME } from './names.ts';

export { DEFAULT_NAMESPACE, METRIC, SERVICE_NAME };

export interface Powertools {
  logger: Logger;
  metrics: Metrics;
}

export type MetricName = keyof typeof METRIC;

/** What the sync lifecycle reports through: log lines and metrics, flushed by `publish`. */
export interface Telemetry {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  metric(name: MetricName, unit: 'Count' | 'Bytes' | 'Milliseconds', value: number): void;
  publish(): void;
  /** Publishes `counts` at once with `dimensions` on top of the instance's own (e.g. one resource type). */
  publishWith(dimensions: Record<string, string>, counts: [MetricName, number][]): void;
}

/** The lifecycle's telemetry as Powertools log lines and EMF metrics. */
export function powertoolsTelemetry({ logger, metrics }: Powertools): Telemetry {
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
    metric: (name, unit, value) => metrics.addMetric(METRIC[name], MetricUnit[unit], value),
    publish: () => metrics.publishStoredMetrics(),
    publishWith: (dimensions, counts) => {
      // Publishing clears the added dimensions: what comes after carries the instance's alone.
      metrics.addDimensions(dimensions);
      for (const [name, value] of counts) metrics.addMetric(METRIC[name], MetricUnit.Count, value);
      metrics.publishStoredMetrics();
    },
  };
}

/**
 * `connector` is the connector type, `instance` its instance id (several Segment workspaces, say):
 * the dashboard and alarms read exactly the dimensions {service, connector, instance}.
 */
export function createTelemetry(
  connector: string,
  instance = connector,
  namespace = process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULT_NAMESPACE,
): Powertools {
  return {
    logger: new Logger({ serviceName: SERVICE_NAME, persistentKeys: { connector, instance } }),
    metrics: new Metrics({ namespace, serviceName: SERVICE_NAME, defaultDimensions: { connector, instance } }),
  };
}
