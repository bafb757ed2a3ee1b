// One audit line and one metric per provisioning action. The endpoint core only sees this
// interface; the Lambda backs it with Powertools, the CLI with its own output.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createTelemetry, METRIC } from '../observability/telemetry.ts';

export type AuditOutcome = 'complete' | 'errored' | 'transient';

export interface AuditLine {
  taskId?: string;
  instance: string;
  connector: string;
  action: string;
  entitlement: string;
  principal: string;
  outcome: AuditOutcome;
  /** `changed` / `unchanged` for a complete action. */
  effect?: string;
  durationMs: number;
  /** Redacted one-line reason of a failure. */
  error?: string;
}

export interface ProvisionAudit {
  record(line: AuditLine): void;
  /** A request refused before any action (bad token, replay): logged, never acted on. */
  rejected(reason: string, fields: Record<string, unknown>): void;
}

/** Powertools: a structured log line and ProvisionSucceeded / ProvisionFailed per connector. */
export function powertoolsAudit(namespace?: string): ProvisionAudit {
  const byConnector = new Map<string, ReturnType<typeof createTelemetry>>();
  const telemetry = (connector: string, instance: string) => {
    let t = byConnector.get(instance);
    if (!t) byConnector.set(instance, (t = createTelemetry(connector, instance, namespace)));
    return t;
  };
  return {
    record(line) {
      const { logger, metrics } = telemetry(line.connector, line.instance);
      if (line.outcome === 'complete') logger.info('provisioning action', { ...line });
      else logger.warn('provisioning action', { ...line });
      metrics.addMetric(line.outcome === 'complete' ? METRIC.provisionSucceeded : METRIC.provisionFailed, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
    rejected(reason, fields) {
      telemetry('provisioning', 'provisioning').logger.warn('provisioning request rejected', { reason, ...fields });
    },
  };
}
