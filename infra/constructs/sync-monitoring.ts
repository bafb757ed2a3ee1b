/**
 * One CloudWatch dashboard with a section per connector instance and seven alarms per instance, all
 * on the EMF metrics the runtime emits (namespace from config, dimensions exactly
 * `{ service: 'baton-serverless', connector: '<type>', instance: '<instance id>' }`) and on the
 * function's own metrics:
 *
 *   <stack>-<id>-sync-failed   a run reported SyncFailed
 *   <stack>-<id>-stale         no SyncSucceeded for staleAfterHours (default 2) hours
 *   <stack>-<id>-timed-out     an invocation ran into Lambda's hard timeout (Duration reached the timeout)
 *   <stack>-<id>-stalled       a slice ended without finishing a single page (SliceStalled)
 *   <stack>-<id>-errors        the function itself errored (crash, timeout, out of memory)
 *   <stack>-<id>-running-long  a sync's durable execution has run over maxSyncHours (SyncRunningMinutes)
 *   <stack>-<id>-shrink-blocked the shrink guard held a sync back (ShrinkBlocked): accept it or fix the app's access
 *
 * A slice runs by design until its deadline, the timeout less a reserve for the checkpoint, so a
 * long invocation is normal: only one that reached the timeout itself (it did not stop at its
 * deadline) or one that finished nothing is wrong. The stale alarm keeps meaning "no finished sync
 * in staleAfterHours": a sync sliced over several invocations publishes SyncSucceeded once, from
 * its last slice.
 *
 * Alarm (and OK) notifications go to the SNS topic when one is given (an e-mail is configured).
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  type IWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DRIFT_METRIC, METRIC, RESOURCE_TYPE_DIMENSION } from '../../shared/observability/names.ts';
import { SERVICE_NAME } from '../config.ts';

export { METRIC };

/**
 * What the durable runtime publishes per slice (same namespace and dimensions as METRIC):
 * slices per sync, checkpoint size and time, syncs skipped (one already running), and minutes since
 * the running sync's execution started.
 */
export const DURABLE_METRIC = {
  slices: METRIC.slices,
  checkpointBytes: METRIC.checkpointBytes,
  checkpointMs: METRIC.checkpointMs,
  skipped: METRIC.skipped,
  runningMinutes: METRIC.runningMinutes,
  stalledSlices: METRIC.stalledSlices,
} as const;

/**
 * The dimension carrying the instance id (the function's CONNECTOR_ID). The runtime must publish
 * exactly `metricDimensions()`: CloudWatch matches a metric only on its complete dimension set.
 */
export const INSTANCE_DIMENSION = 'instance';

export function metricDimensions(instance: Pick<MonitoredInstance, 'id' | 'connector'>): Record<string, string> {
  return { service: SERVICE_NAME, connector: instance.connector, [INSTANCE_DIMENSION]: instance.id };
}

export interface MonitoredInstance {
  /** The instance id (alarm names, dashboard rows). */
  id: string;
  /** The connector type it runs. */
  connector: string;
  function: IFunction;
  timeout: Duration;
  staleAfterHours: number;
  /** The durable execution timeout, in hours. */
  maxSyncHours: number;
  /** A disabled connector's schedule is off: its alarms stay, without actions. */
  enabled: boolean;
}

export interface SyncMonitoringProps {
  readonly dashboardName: string;
  /** Prefix of the alarm names (the stack name). */
  readonly alarmPrefix: string;
  /** The runtime's metrics namespace (the functions' POWERTOOLS_METRICS_NAMESPACE). */
  readonly namespace: string;
  /** Instances to monitor now; more with addInstance(). */
  readonly instances?: MonitoredInstance[];
  readonly alarmTopic?: ITopic;
  /** The provisioning endpoint, when enabled: its error alarm and a dashboard section (or addProvisioning()). */
  readonly provisioning?: MonitoredProvisioning;
}

export interface MonitoredProvisioning {
  function: IFunction;
  instances: Pick<MonitoredInstance, 'id' | 'connector'>[];
}

export interface ConnectorAlarms {
  failed: Alarm;
  stale: Alarm;
  timedOut: Alarm;
  stalled: Alarm;
  errors: Alarm;
  runningLong: Alarm;
  shrinkBlocked: Alarm;
}

/** What the provisioning function publishes per call, with the instance's metricDimensions(). */
export const PROVISIONING_METRIC = { succeeded: METRIC.provisionSucceeded, failed: METRIC.provisionFailed } as const;

export class SyncMonitoring extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: Record<string, ConnectorAlarms> = {};
  provisioningErrors?: Alarm;
  private readonly props: SyncMonitoringProps;

  constructor(scope: Construct, id: string, props: SyncMonitoringProps) {
    super(scope, id);
    this.props = props;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.days(1),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# Baton syncs\nOne section per connector instance. ConductorOne reads `sync.c1z` hourly: keep **hours since the last ' +
          'success** under 2. Failed runs also land in the failed-runs SQS queue with their error.',
        width: 24,
        height: 2,
      }),
    );

    for (const instance of props.instances ?? []) this.addInstance(instance);
    if (props.provisioning) this.addProvisioning(props.provisioning);
  }

  /** One instance's alarms and dashboard rows. */
  addInstance(instance: MonitoredInstance): ConnectorAlarms {
    const props = this.props;
    {
      const metric = (metricName: string, statistic: string, label?: string, period = Duration.hours(1)) =>
        new Metric({
          namespace: props.namespace,
          metricName,
          dimensionsMap: metricDimensions(instance),
          statistic,
          period,
          ...(label ? { label } : {}),
        });
      const timeoutMs = instance.timeout.toMilliseconds();
      const timeoutS = instance.timeout.toSeconds();

      // --- alarms -----------------------------------------------------------------------------
      const prefix = `${props.alarmPrefix}-${instance.id}`;
      const failed = new Alarm(this, `${instance.id}-Failed`, {
        alarmName: `${prefix}-sync-failed`,
        alarmDescription: `A ${instance.id} sync failed: the previous sync.c1z stays in place. See the function's logs and the failed-runs queue.`,
        metric: metric(METRIC.failed, 'Sum'),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        actionsEnabled: instance.enabled,
      });
      const stale = new Alarm(this, `${instance.id}-Stale`, {
        alarmName: `${prefix}-stale`,
        alarmDescription: `No successful ${instance.id} sync in ${instance.staleAfterHours} h: ConductorOne is reading stale data.`,
        metric: metric(METRIC.succeeded, 'Sum'),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: instance.staleAfterHours,
        datapointsToAlarm: instance.staleAfterHours,
        // No data at all (the function never ran, or crashed before flushing) is stale too.
        treatMissingData: TreatMissingData.BREACHING,
        actionsEnabled: instance.enabled,
      });
      // Lambda reports a timed-out invocation's Duration as the timeout itself, never less.
      const timedOut = new Alarm(this, `${instance.id}-TimedOut`, {
        alarmName: `${prefix}-timed-out`,
        alarmDescription:
          `A ${instance.id} invocation ran into Lambda's ${timeoutS} s timeout instead of stopping at its slice deadline ` +
          '(the timeout less a reserve for the checkpoint): the slice is retried from the last checkpoint. If it repeats, one ' +
          'API call or the checkpoint outlasts the reserve: raise memoryMb (faster packing) and see the logs for the last call.',
        metric: instance.function.metricDuration({ statistic: 'Maximum', period: Duration.minutes(15) }),
        threshold: timeoutMs,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      const stalled = new Alarm(this, `${instance.id}-Stalled`, {
        alarmName: `${prefix}-stalled`,
        alarmDescription:
          `A ${instance.id} slice ended without finishing a single page, so the sync made no progress: one page takes longer ` +
          `than a slice, or the API throttles it to a standstill. See the API throttles graph and the logs; raise timeoutSeconds ` +
          `(now ${timeoutS} s, at most 900) for slow pages. Left alone the sync fails after its last slice.`,
        metric: metric(DURABLE_METRIC.stalledSlices, 'Sum', undefined, Duration.minutes(15)),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        actionsEnabled: instance.enabled,
      });
      const errors = new Alarm(this, `${instance.id}-Errors`, {
        alarmName: `${prefix}-errors`,
        alarmDescription: `The ${instance.id} function errored (exception, timeout or out of memory).`,
        metric: instance.function.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      const maxMinutes = instance.maxSyncHours * 60;
      const runningLong = new Alarm(this, `${instance.id}-RunningLong`, {
        alarmName: `${prefix}-running-long`,
        alarmDescription: `A ${instance.id} sync has run over its maxSyncHours (${instance.maxSyncHours} h): its durable execution is about to time out, and ConductorOne keeps the previous file.`,
        metric: metric(DURABLE_METRIC.runningMinutes, 'Maximum', undefined, Duration.minutes(15)),
        threshold: maxMinutes,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        actionsEnabled: instance.enabled,
      });
      const shrinkBlocked = shrinkBlockedAlarm(this, instance, prefix, metric(METRIC.shrinkBlocked, 'Sum'));
      const alarms = { failed, stale, timedOut, stalled, errors, runningLong, shrinkBlocked };
      this.alarms[instance.id] = alarms;
      if (props.alarmTopic) {
        const action = new SnsAction(props.alarmTopic);
        for (const alarm of Object.values(alarms)) {
          alarm.addAlarmAction(action);
          alarm.addOkAction(action);
        }
      }

      // --- dashboard row ----------------------------------------------------------------------
      const succeeded5m = metric(METRIC.succeeded, 'Sum', 'successes', Duration.minutes(5));
      // Hours since the last successful run: the epoch of each point minus the epoch of the
      // last point with a success, carried forward.
      const ageHours = new MathExpression({
        expression: '(EPOCH(FILL(s, 0)) - FILL(IF(s > 0, EPOCH(s)), REPEAT)) / 3600',
        usingMetrics: { s: succeeded5m },
        label: 'hours since the last success',
        period: Duration.minutes(5),
      });
      const staleLine: HorizontalAnnotation = {
        value: instance.staleAfterHours,
        label: `stale after ${instance.staleAfterHours} h`,
        color: '#d62728',
      };
      const header: IWidget = new TextWidget({
        markdown: `## ${instance.id}${instance.id === instance.connector ? '' : ` (${instance.connector})`}\nObject \`sync.c1z\` · timeout ${instance.timeout.toSeconds()} s · alarms: ${Object.values(
          alarms,
        )
          .map((a) => a.alarmName)
          .join(', ')}`,
        width: 24,
        height: 1,
      });
      const health: IWidget[] = [
        new SingleValueWidget({
          title: `${instance.id}: hours since the last success`,
          metrics: [ageHours],
          width: 6,
          height: 6,
        }),
        new GraphWidget({
          title: `${instance.id}: runs`,
          left: [metric(METRIC.succeeded, 'Sum', 'succeeded'), metric(METRIC.failed, 'Sum', 'failed')],
          width: 6,
          height: 6,
        }),
        new GraphWidget({
          title: `${instance.id}: duration vs timeout (ms)`,
          left: [
            metric(METRIC.durationMs, 'Maximum', 'sync duration'),
            instance.function.metricDuration({ statistic: 'Maximum', period: Duration.hours(1), label: 'function duration' }),
          ],
          leftAnnotations: [{ value: timeoutMs, label: 'timeout', color: '#d62728' }],
          leftYAxis: { min: 0 },
          width: 6,
          height: 6,
        }),
        new GraphWidget({
          title: `${instance.id}: hours since the last success`,
          left: [ageHours],
          leftAnnotations: [staleLine],
          leftYAxis: { min: 0 },
          width: 6,
          height: 6,
        }),
      ];
      const volume: IWidget[] = [
        new GraphWidget({
          title: `${instance.id}: resources, entitlements, grants`,
          left: [
            metric(METRIC.resources, 'Maximum', 'resources'),
            metric(METRIC.entitlements, 'Maximum', 'entitlements'),
            metric(METRIC.grants, 'Maximum', 'grants'),
          ],
          right: [metric(METRIC.resourceTypes, 'Maximum', 'resource types')],
          width: 8,
          height: 6,
        }),
        new GraphWidget({
          title: `${instance.id}: sync.c1z size (bytes)`,
          left: [metric(METRIC.c1zBytes, 'Maximum', 'c1z bytes')],
          leftYAxis: { min: 0 },
          width: 8,
          height: 6,
        }),
        new GraphWidget({
          title: `${instance.id}: API requests, retries, throttles`,
          left: [metric(METRIC.apiRequests, 'Sum', 'requests')],
          right: [metric(METRIC.apiRetries, 'Sum', 'retries'), metric(METRIC.apiThrottles, 'Sum', 'throttles (429)')],
          width: 8,
          height: 6,
        }),
      ];
      const durable: IWidget[] = [
        new GraphWidget({
          title: `${instance.id}: running sync (minutes since its execution started)`,
          left: [metric(DURABLE_METRIC.runningMinutes, 'Maximum', 'running minutes', Duration.minutes(15))],
          leftAnnotations: [{ value: maxMinutes, label: `maxSyncHours (${instance.maxSyncHours} h)`, color: '#d62728' }],
          leftYAxis: { min: 0 },
          width: 6,
          height: 6,
        }),
        new GraphWidget({
          title: `${instance.id}: slices per sync, skipped runs, stalled slices`,
          left: [metric(DURABLE_METRIC.slices, 'Maximum', 'slices')],
          right: [
            metric(DURABLE_METRIC.skipped, 'Sum', 'skipped (a sync was running)'),
            metric(DURABLE_METRIC.stalledSlices, 'Sum', 'stalled slices (no page finished)'),
          ],
          leftYAxis: { min: 0 },
          width: 6,
          height: 6,
        }),
        new GraphWidget({
          title: `${instance.id}: checkpoint size (bytes)`,
          left: [metric(DURABLE_METRIC.checkpointBytes, 'Maximum', 'checkpoint bytes')],
          leftYAxis: { min: 0 },
          width: 6,
          height: 6,
        }),
        new GraphWidget({
          title: `${instance.id}: checkpoint time (ms)`,
          left: [metric(DURABLE_METRIC.checkpointMs, 'Maximum', 'max'), metric(DURABLE_METRIC.checkpointMs, 'Average', 'average')],
          leftYAxis: { min: 0 },
          width: 6,
          height: 6,
        }),
      ];
      this.dashboard.addWidgets(header);
      this.dashboard.addWidgets(...health);
      this.dashboard.addWidgets(...volume);
      this.dashboard.addWidgets(...durable);
      this.dashboard.addWidgets(...driftWidgets(instance, props.namespace, metric));
      return alarms;
    }
  }

  /** The provisioning endpoint's error alarm and dashboard section. */
  addProvisioning(provisioning: MonitoredProvisioning): Alarm {
    const props = this.props;
    {
      const fn = provisioning.function;
      if (this.provisioningErrors) throw new Error(`${this.node.path}: the provisioning endpoint is already monitored`);
      this.provisioningErrors = new Alarm(this, 'Provisioning-Errors', {
        alarmName: `${props.alarmPrefix}-provisioning-errors`,
        alarmDescription: 'The provisioning function errored (exception, timeout or out of memory): ConductorOne provisioning calls are failing.',
        metric: fn.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (props.alarmTopic) {
        const action = new SnsAction(props.alarmTopic);
        this.provisioningErrors.addAlarmAction(action);
        this.provisioningErrors.addOkAction(action);
      }
      const calls = (metricName: string, statistic: string, label: string) =>
        provisioning.instances.map(
          (instance) =>
            new Metric({
              namespace: props.namespace,
              metricName,
              dimensionsMap: metricDimensions(instance),
              statistic,
              period: Duration.hours(1),
              label: `${instance.id} ${label}`,
            }),
        );
      this.dashboard.addWidgets(
        new TextWidget({
          markdown: `## provisioning\nConductorOne's provisioning calls · alarm: ${this.provisioningErrors.alarmName}`,
          width: 24,
          height: 1,
        }),
      );
      this.dashboard.addWidgets(
        new GraphWidget({
          title: 'provisioning: calls by instance',
          left: [...calls(PROVISIONING_METRIC.succeeded, 'Sum', 'succeeded'), ...calls(PROVISIONING_METRIC.failed, 'Sum', 'failed')],
          width: 12,
          height: 6,
        }),
        new GraphWidget({
          title: 'provisioning: function invocations and errors',
          left: [fn.metricInvocations({ statistic: 'Sum', period: Duration.hours(1), label: 'invocations' })],
          right: [fn.metricErrors({ statistic: 'Sum', period: Duration.hours(1), label: 'errors' })],
          width: 12,
          height: 6,
        }),
      );
      return this.provisioningErrors;
    }
  }
}

/** The shrink guard held a sync back: the live file is the last good one, and stays so until someone accepts or fixes. */
function shrinkBlockedAlarm(scope: Construct, instance: MonitoredInstance, prefix: string, blocked: Metric): Alarm {
  return new Alarm(scope, `${instance.id}-ShrinkBlocked`, {
    alarmName: `${prefix}-shrink-blocked`,
    alarmDescription:
      `The shrink guard held a ${instance.id} sync back: it would have removed most principals or grants, or emptied a resource type. ` +
      'ConductorOne keeps the last good sync.c1z. If the shrink is real, invoke the function with {"acceptShrink": true}; otherwise fix the app token or config.',
    metric: blocked,
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    actionsEnabled: instance.enabled,
  });
}

/** Drift per sync: totals on the instance's dimensions, and per resource type through a search on the extra dimension. */
function driftWidgets(instance: MonitoredInstance, namespace: string, metric: (name: string, statistic: string, label?: string) => Metric): IWidget[] {
  const kinds = ['resources', 'entitlements', 'grants'] as const;
  const dims = metricDimensions(instance);
  const perType = (name: string, id: string) =>
    new MathExpression({
      expression: `SEARCH('{${namespace},${Object.keys(dims).join(',')},${RESOURCE_TYPE_DIMENSION}} MetricName="${name}" ${Object.entries(dims)
        .map(([k, v]) => `${k}="${v}"`)
        .join(' ')}', 'Sum', 3600)`,
      label: id,
      period: Duration.hours(1),
    });
  return [
    new GraphWidget({
      title: `${instance.id}: drift per sync (added)`,
      left: kinds.map((k) => metric(DRIFT_METRIC[k].added, 'Sum', `${k} added`)),
      leftYAxis: { min: 0 },
      width: 6,
      height: 6,
    }),
    new GraphWidget({
      title: `${instance.id}: drift per sync (removed)`,
      left: kinds.map((k) => metric(DRIFT_METRIC[k].removed, 'Sum', `${k} removed`)),
      leftYAxis: { min: 0 },
      width: 6,
      height: 6,
    }),
    new GraphWidget({
      title: `${instance.id}: grants added and removed per resource type`,
      left: [perType(DRIFT_METRIC.grants.added, 'added'), perType(DRIFT_METRIC.grants.removed, 'removed')],
      leftYAxis: { min: 0 },
      width: 6,
      height: 6,
    }),
    new GraphWidget({
      title: `${instance.id}: shrink guard`,
      left: [metric(METRIC.shrinkBlocked, 'Sum', 'blocked syncs'), metric(METRIC.shrinkAccepted, 'Sum', 'accepted')],
      leftYAxis: { min: 0 },
      width: 6,
      height: 6,
    }),
  ];
}
