import { afterAll, describe, expect, it } from 'vitest';
import { SERVICE_NAME } from '../../infra/config.ts';
import { DURABLE_METRIC, METRIC, PROVISIONING_METRIC } from '../../infra/constructs/sync-monitoring.ts';
import { METRIC as RUNTIME_METRIC, SERVICE_NAME as RUNTIME_SERVICE } from '../../shared/observability/telemetry.ts';
import { cleanupOutdirs, logicalId, resourcesOf, synth } from './helpers.ts';

afterAll(cleanupOutdirs);

/** The dashboard body as the JSON CloudWatch will get (CloudFormation references, e.g. the region, as "X"). */
function dashboardBody(template: ReturnType<typeof synth>['template']): any {
  const dashboards = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0]!.Properties!['DashboardBody'];
  const text = typeof body === 'string' ? body : (body['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'X')).join('');
  return JSON.parse(text);
}

describe('dashboard and alarms', () => {
  const { template } = synth({ alarmEmail: 'ops@example.com' });

  it('reads the metric names the runtime emits', () => {
    expect(METRIC).toEqual(RUNTIME_METRIC);
    expect(SERVICE_NAME).toBe(RUNTIME_SERVICE);
  });

  describe('the dashboard', () => {
    const body = dashboardBody(template);
    const widgets = body.widgets as { type: string; properties: any }[];
    const metricRows = widgets.flatMap((w) => (w.properties.metrics ?? []) as unknown[][]);
    const customRows = metricRows.filter((row) => row[0] === 'BatonServerless');

    it('is named after the stack', () => {
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'BatonServerless' });
    });

    it.each(['slack', 'segment', 'fullstory'])('%s: every runtime metric, with exactly the service, connector and instance dimensions', (connector) => {
      const names = new Set<string>();
      for (const row of customRows) {
        // [namespace, metricName, dim1, value1, dim2, value2, {options}]
        const flat = row.slice(2).filter((x) => typeof x === 'string') as string[];
        const dims = Object.fromEntries(flat.flatMap((x, i) => (i % 2 === 0 ? [[x, flat[i + 1]]] : [])));
        if (dims['instance'] !== connector) continue;
        expect(dims).toEqual({ service: 'baton-serverless', connector, instance: connector });
        names.add(row[1] as string);
      }
      expect([...names].sort()).toEqual(
        [...new Set([...Object.values(METRIC), ...Object.values(DURABLE_METRIC)])]
          .filter((n) => !Object.values(PROVISIONING_METRIC).includes(n as never))
          .sort(),
      );
    });

    it('shows duration against the timeout line only (a slice runs close to it by design)', () => {
      const duration = widgets.find((w) => w.properties.title === 'slack: duration vs timeout (ms)')!;
      expect(duration.properties.annotations.horizontal).toEqual([expect.objectContaining({ value: 900_000, label: 'timeout' })]);
    });

    it('shows the hours since the last success, with the stale line', () => {
      const age = widgets.filter((w) => w.properties.title === 'slack: hours since the last success');
      expect(age.map((w) => w.type)).toEqual(['metric', 'metric']);
      const expression = age[0]!.properties.metrics.find((row: any[]) => row[0]?.expression)[0];
      expect(expression.expression).toBe('(EPOCH(FILL(s, 0)) - FILL(IF(s > 0, EPOCH(s)), REPEAT)) / 3600');
      expect(age[1]!.properties.annotations.horizontal).toEqual([expect.objectContaining({ value: 2 })]);
    });

    it('has one section per connector with runs, counts, c1z size, API, drift and shrink-guard widgets', () => {
      for (const c of ['slack', 'segment', 'fullstory']) {
        const titles = widgets.map((w) => w.properties.title).filter((t) => t?.startsWith(`${c}:`));
        expect(titles).toEqual([
          `${c}: hours since the last success`,
          `${c}: runs`,
          `${c}: duration vs timeout (ms)`,
          `${c}: hours since the last success`,
          `${c}: resources, entitlements, grants`,
          `${c}: sync.c1z size (bytes)`,
          `${c}: API requests, retries, throttles`,
          `${c}: running sync (minutes since its execution started)`,
          `${c}: slices per sync, skipped runs, stalled slices`,
          `${c}: checkpoint size (bytes)`,
          `${c}: checkpoint time (ms)`,
          `${c}: drift per sync (added)`,
          `${c}: drift per sync (removed)`,
          `${c}: grants added and removed per resource type`,
          `${c}: shrink guard`,
        ]);
      }
    });
  });

  describe('the alarms', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    const byName = (name: string) => Object.values(alarms).find((a) => a.Properties!['AlarmName'] === name)?.Properties as Record<string, any>;
    const topicId = logicalId(template, 'AWS::SNS::Topic', 'Alarms');
    const dims = (c: string) => [
      { Name: 'connector', Value: c },
      { Name: 'instance', Value: c },
      { Name: 'service', Value: 'baton-serverless' },
    ];

    it('seven per connector', () => {
      expect(Object.keys(alarms)).toHaveLength(21);
    });

    it('a sync the shrink guard held back', () => {
      expect(byName('BatonServerless-slack-shrink-blocked')).toMatchObject({
        Namespace: 'BatonServerless',
        MetricName: 'ShrinkBlocked',
        Dimensions: dims('slack'),
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(byName('BatonServerless-slack-shrink-blocked')['AlarmDescription']).toContain('{"acceptShrink": true}');
    });

    it('drift per resource type is graphed from the resourceType dimension', () => {
      const body = dashboardBody(template);
      const perType = (body.widgets as any[]).find((w) => w.properties.title === 'slack: grants added and removed per resource type');
      const expressions = (perType.properties.metrics as any[]).map((row) => row[0].expression);
      expect(expressions).toEqual([
        `SEARCH('{BatonServerless,service,connector,instance,resourceType} MetricName="DriftGrantsAdded" service="baton-serverless" connector="slack" instance="slack"', 'Sum', 3600)`,
        `SEARCH('{BatonServerless,service,connector,instance,resourceType} MetricName="DriftGrantsRemoved" service="baton-serverless" connector="slack" instance="slack"', 'Sum', 3600)`,
      ]);
    });

    it('a sync running over maxSyncHours (SyncRunningMinutes, published by every slice)', () => {
      expect(byName('BatonServerless-slack-running-long')).toMatchObject({
        Namespace: 'BatonServerless',
        MetricName: 'SyncRunningMinutes',
        Dimensions: dims('slack'),
        Statistic: 'Maximum',
        Period: 900,
        Threshold: 6 * 60,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      });
      const { template: t } = synth({ connectors: ['slack', { name: 'segment', maxSyncHours: 10 }], maxSyncHours: 2 });
      const threshold = (name: string) =>
        Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).find((a) => a.Properties!['AlarmName'] === name)!.Properties!['Threshold'];
      expect(threshold('BatonServerless-slack-running-long')).toBe(120);
      expect(threshold('BatonServerless-segment-running-long')).toBe(600);
    });

    it('the stale alarm still means no finished sync: SyncSucceeded, not a slice metric', () => {
      const stale = Object.values(alarms).filter((a) => String(a.Properties!['AlarmName']).endsWith('-stale'));
      expect(stale.map((a) => a.Properties!['MetricName'])).toEqual(['SyncSucceeded', 'SyncSucceeded', 'SyncSucceeded']);
    });

    it('the slice metrics are graphed with the maxSyncHours line', () => {
      const body = dashboardBody(template);
      const running = (body.widgets as any[]).find((w) => w.properties.title === 'slack: running sync (minutes since its execution started)');
      expect(running.properties.annotations.horizontal).toEqual([expect.objectContaining({ value: 360 })]);
    });

    it('a failed run', () => {
      expect(byName('BatonServerless-slack-sync-failed')).toMatchObject({
        Namespace: 'BatonServerless',
        MetricName: 'SyncFailed',
        Dimensions: dims('slack'),
        Statistic: 'Sum',
        Period: 3600,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it('no success in 2 hours (missing data counts as stale)', () => {
      expect(byName('BatonServerless-segment-stale')).toMatchObject({
        Namespace: 'BatonServerless',
        MetricName: 'SyncSucceeded',
        Dimensions: dims('segment'),
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    });

    it('an invocation that hit the hard timeout: Duration at the timeout, never below it', () => {
      const fnId = logicalId(template, 'AWS::Lambda::Function', 'FullstorySyncFunction');
      expect(byName('BatonServerless-fullstory-timed-out')).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Duration',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
        Statistic: 'Maximum',
        Threshold: 900_000,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(byName('BatonServerless-fullstory-timed-out').AlarmDescription).toContain('raise memoryMb');
      const { template: t } = synth({ connectors: [{ name: 'slack', timeoutSeconds: 300 }] });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'BatonServerless-slack-timed-out', Threshold: 300_000 });
    });

    it('no alarm on the function Duration below its timeout', () => {
      for (const alarm of Object.values(alarms).map((a) => a.Properties!)) {
        if (alarm['MetricName'] !== 'Duration') continue;
        expect(alarm['Threshold']).toBe(900_000);
        expect(alarm['ComparisonOperator']).toBe('GreaterThanOrEqualToThreshold');
      }
    });

    it('a slice that made no progress (SliceStalled, published by a slice that finished no page)', () => {
      expect(byName('BatonServerless-segment-stalled')).toMatchObject({
        Namespace: 'BatonServerless',
        MetricName: 'SliceStalled',
        Dimensions: dims('segment'),
        Statistic: 'Sum',
        Period: 900,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      expect(byName('BatonServerless-segment-stalled').AlarmDescription).toContain('raise timeoutSeconds');
    });

    it('errors of the function itself', () => {
      const fnId = logicalId(template, 'AWS::Lambda::Function', 'SlackSyncFunction');
      expect(byName('BatonServerless-slack-errors')).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it('all notify the SNS topic, which has the e-mail subscription and is TLS-only', () => {
      for (const alarm of Object.values(alarms)) {
        expect(alarm.Properties!['AlarmActions']).toEqual([{ Ref: topicId }]);
        expect(alarm.Properties!['OKActions']).toEqual([{ Ref: topicId }]);
      }
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: topicId },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: [
            {
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Effect: 'Deny',
              Principal: '*',
              Resource: { Ref: topicId },
              Sid: 'AllowPublishThroughSSLOnly',
            },
          ],
        },
      });
    });

    it('without an e-mail: alarms but no topic', () => {
      const { template: t } = synth();
      t.resourceCountIs('AWS::SNS::Topic', 0);
      t.resourceCountIs('AWS::CloudWatch::Alarm', 21);
      for (const alarm of Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm'))) {
        expect(alarm.Properties!['AlarmActions']).toBeUndefined();
      }
    });

    it('a disabled connector keeps its alarms without actions; staleAfterHours is configurable', () => {
      const { template: t } = synth({
        connectors: [
          { name: 'slack', enabled: false },
          { name: 'segment', staleAfterHours: 6 },
        ],
        alarmEmail: 'ops@example.com',
      });
      const props = (name: string) => Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).find((a) => a.Properties!['AlarmName'] === name)!.Properties!;
      expect(props('BatonServerless-slack-stale')['ActionsEnabled']).toBe(false);
      expect(props('BatonServerless-slack-sync-failed')['ActionsEnabled']).toBe(false);
      expect(props('BatonServerless-segment-stale')).toMatchObject({ ActionsEnabled: true, EvaluationPeriods: 6, DatapointsToAlarm: 6 });
    });
  });
});
