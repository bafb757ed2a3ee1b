// Several instances of one connector, and the short forms that must leave a deployment
// made before instances existed exactly as it was. The baseline fixture was captured from the
// template of the commit before instances (e54320d): logical ids, resource names and outputs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/bundling.ts';
import { loadConfig } from '../../infra/config.ts';
import { connectorNames } from '../../lambdas/index.ts';
import { errorOf, lineFor } from './config-errors.ts';
import { CDK_JSON, cleanupOutdirs, functionOf, logicalId, policyStatements, resourcesOf, synth, TEST_CONTEXT } from './helpers.ts';

afterAll(cleanupOutdirs);

type Baseline = Record<string, { resources: Record<string, { type: string; name?: string }>; outputs: Record<string, string> }>;
const BASELINE = JSON.parse(readFileSync(join(REPO_ROOT, 'test/infra/fixtures/template-before-instances.json'), 'utf8')) as Baseline;

/** The same shape as the fixture, from a template made now. */
function summary(template: ReturnType<typeof synth>['template']) {
  const json = template.toJSON() as { Resources: Record<string, any>; Outputs: Record<string, any> };
  const resources: Record<string, { type: string; name?: string }> = {};
  for (const [id, r] of Object.entries(json.Resources)) {
    const p = r.Properties ?? {};
    const name = p.FunctionName ?? p.Name ?? p.AlarmName ?? p.DashboardName;
    resources[id] = typeof name === 'string' ? { type: r.Type, name } : { type: r.Type };
  }
  const outputs: Record<string, string> = {};
  for (const [k, o] of Object.entries(json.Outputs)) outputs[k] = typeof o.Value === 'string' ? o.Value : JSON.stringify(o.Value);
  return { resources, outputs };
}

describe('short forms keep a deployment unchanged', () => {
  const variants: [string, Record<string, unknown>][] = [
    // cdk.json no longer lists the connectors: the registry's default must give the same stack.
    ['cdkjson', { ...CDK_JSON.context, conductorOneExternalId: 'c1-external-id', alarmEmail: 'ops@example.com' }],
    ['cdkjson', { ...TEST_CONTEXT, conductorOneExternalId: 'c1-external-id', alarmEmail: 'ops@example.com' }],
    ['short', { connectors: ['segment'], conductorOneExternalId: 'c1-external-id' }],
    ['named', { connectors: [{ name: 'segment' }], conductorOneExternalId: 'c1-external-id' }],
  ];

  // What durable functions change on purpose, the same way for every form: the function is
  // replaced under a new name (CloudFormation cannot replace a function keeping its name); async
  // retries and the schedule's permission move from the function to its live alias; the invoke
  // command is qualified.
  const DURABLE = {
    name: (r: { type: string; name?: string }) => (r.type === 'AWS::Lambda::Function' ? { ...r, name: `${r.name}-sync` } : r),
    moved: (id: string) => /SyncFunctionEventInvokeConfig|SyncScheduleAllowEventRule/.test(id),
    output: (key: string, value: string) => (key.endsWith('InvokeCommand') ? value.replace(/--function-name (\S+) /, '--function-name $1-sync:live ') : value),
  };

  // Replaced on purpose, by the alarms that mean something for sliced syncs (timed-out, stalled): the
  // duration alarm at 80 % of the timeout, which every slice of a multi-slice sync breached.
  const durationAlarm = (id: string) => /^Monitoring[a-z-]+Duration[0-9A-F]{8}$/.test(id);

  it.each(variants)('%s: every logical id, resource name and output of before', (variant, context) => {
    const now = summary(synth(context, { replace: true }).template);
    const before = BASELINE[variant]!;
    for (const [id, r] of Object.entries(before.resources)) {
      if (DURABLE.moved(id) || durationAlarm(id)) expect(now.resources[id], id).toBeUndefined();
      else expect(now.resources[id], id).toEqual(DURABLE.name(r));
    }
    const outputs = Object.fromEntries(Object.entries(before.outputs).map(([k, v]) => [k, DURABLE.output(k, v)]));
    // Connectors added to the registry since the baseline add their own outputs and nothing else.
    const added = connectorNames.filter((n) => !Object.values(before.resources).some((r) => r.name === `BatonServerless-${n}`));
    const pascal = (n: string) =>
      n
        .split('-')
        .map((w) => w[0]!.toUpperCase() + w.slice(1))
        .join('');
    const ownedByAdded = (k: string) => added.some((n) => k.startsWith(pascal(n)));
    expect(Object.fromEntries(Object.entries(now.outputs).filter(([k]) => !(k in outputs) && !ownedByAdded(k)))).toEqual({});
    expect(Object.fromEntries(Object.entries(now.outputs).filter(([k]) => k in outputs))).toEqual(outputs);
    // The function keeps its logical id: alarms, outputs and the dashboard follow the replacement.
    expect(Object.keys(before.resources).filter((id) => DURABLE.moved(id))).toHaveLength(
      2 * Object.values(before.resources).filter((r) => r.type === 'AWS::Lambda::Function').length,
    );
  });

  it('"segment", { "name": "segment" } and { "id": "segment", "connector": "segment" } are the same instance', () => {
    const forms = [['segment'], [{ name: 'segment' }], [{ id: 'segment', connector: 'segment' }], [{ connector: 'segment' }]];
    const configs = forms.map((connectors) => loadConfig({ connectors }).connectors);
    for (const c of configs) expect(c).toEqual(configs[0]);
    expect(configs[0]![0]).toMatchObject({ id: 'segment', connector: 'segment' });
  });
});

describe('two instances of one connector', () => {
  const { template } = synth(
    {
      connectors: [
        { id: 'segment-us', connector: 'segment' },
        { id: 'segment-eu', connector: 'segment', schedule: 'rate(2 hours)' },
      ],
      conductorOneExternalId: 'c1-external-id',
    },
    { replace: true },
  );
  const bucketId = logicalId(template, 'AWS::S3::Bucket', 'SyncBucket');
  const objectArn = (key: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${key}`]] });

  it('each has its own function, running the segment connector under its own id', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    for (const [pascal, id] of [
      ['SegmentUs', 'segment-us'],
      ['SegmentEu', 'segment-eu'],
    ] as const) {
      const fn = functionOf(template, pascal);
      expect(fn['FunctionName']).toBe(`BatonServerless-${id}-sync`);
      expect(fn['Environment'].Variables).toMatchObject({
        CONNECTOR: 'segment',
        CONNECTOR_ID: id,
        OBJECT_KEY: `baton/${id}/sync.c1z`,
        SECRET_ID: { Ref: logicalId(template, 'AWS::SecretsManager::Secret', `${pascal}SyncSecret`) },
      });
    }
  });

  it('each has its own secret, schedule and log group', () => {
    const names = Object.values(resourcesOf(template, 'AWS::SecretsManager::Secret')).map((s) => s.Properties!['Name']);
    expect(names.sort()).toEqual(['BatonServerless/segment-eu', 'BatonServerless/segment-us']);
    const schedules = Object.values(resourcesOf(template, 'AWS::Events::Rule')).map((r) => r.Properties!['ScheduleExpression']);
    expect(schedules.sort()).toEqual(['rate(1 hour)', 'rate(2 hours)']);
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
  });

  it('each function writes only its own object and reads only its own secret', () => {
    for (const [pascal, id, other] of [
      ['SegmentUs', 'segment-us', 'SegmentEu'],
      ['SegmentEu', 'segment-eu', 'SegmentUs'],
    ] as const) {
      const statements = policyStatements(template, `${pascal}SyncRole`);
      const text = JSON.stringify(statements);
      expect(text).not.toContain(`${other}SyncSecret`);
      expect(text.match(/\/baton\/[a-z-]+\//g)?.every((k) => k === `/baton/${id}/`)).toBe(true);
    }
  });

  it('each has its own seven alarms and dashboard section', () => {
    const alarmNames = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties!['AlarmName']);
    expect(alarmNames.sort()).toEqual(
      ['segment-eu', 'segment-us']
        .flatMap((id) => ['errors', 'running-long', 'shrink-blocked', 'stale', 'stalled', 'sync-failed', 'timed-out'].map((a) => `BatonServerless-${id}-${a}`))
        .sort(),
    );
    const body = JSON.stringify(Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]!.Properties!['DashboardBody']);
    expect(body).toContain('## segment-us (segment)');
    expect(body).toContain('## segment-eu (segment)');
  });

  it('the ConductorOne role reads exactly the two live files', () => {
    const read = policyStatements(template, 'ConductorOneAccessRole').find((s) => s.Sid === 'ReadSyncFiles');
    expect(read.Resource).toEqual([objectArn('baton/segment-us/sync.c1z'), objectArn('baton/segment-eu/sync.c1z')]);
  });

  it('outputs per instance: object key, secret, function', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs['SegmentUsObjectKey']!.Value).toBe('baton/segment-us/sync.c1z');
    expect(outputs['SegmentEuObjectKey']!.Value).toBe('baton/segment-eu/sync.c1z');
    expect(Object.keys(outputs).filter((k) => k.startsWith('Segment')).length).toBe(8);
  });
});

describe('instance ids and connector types: one line naming the key', () => {
  const bad: [string, unknown, RegExp][] = [
    ['upper case', 'Segment-EU', /upper-case letter "S"/],
    ['a leading digit', '1segment', /start with a lower-case letter/],
    ['a space', 'segment eu', /contains a space/],
    ['an underscore', 'segment_eu', /contains "_"/],
    ['a slash', 'segment/eu', /contains "\/"/],
    ['a trailing hyphen', 'segment-', /must not end with "-"/],
    ['a double hyphen', 'segment--eu', /must not contain "--"/],
    ['too long', `s${'x'.repeat(40)}`, /too long: 41 characters, at most 40/],
    ['empty', '', /expected an instance id/],
  ];
  it.each(bad)('rejects an id with %s', (_label, id, message) => {
    const error = errorOf({ connectors: [{ id, connector: 'segment' }] });
    expect(error.keys).toEqual(['connectors[0].id']);
    expect(lineFor(error, 'connectors[0].id')).toMatch(message);
  });

  it('rejects a duplicate id, and two ids that would give the same resource names', () => {
    const dup = errorOf({ connectors: ['segment', { id: 'segment', connector: 'segment' }] });
    expect(lineFor(dup, 'connectors[1].id')).toMatch(/duplicate instance id "segment"/);
    const clash = errorOf({
      connectors: [
        { id: 'seg1eu', connector: 'segment' },
        { id: 'seg-1eu', connector: 'segment' },
      ],
    });
    expect(lineFor(clash, 'connectors[1].id')).toMatch(/"seg-1eu" and "seg1eu" give the same resource names \(Seg1eu\)/);
  });

  it('rejects "name" together with "id"/"connector"', () => {
    const error = errorOf({ connectors: [{ name: 'segment', id: 'segment-eu', connector: 'segment' }] });
    expect(lineFor(error, 'connectors[0].name')).toMatch(/either "name" .* or "id" and "connector"/);
  });

  it('rejects an unknown connector type, listing the known ones from the registry', () => {
    for (const connectors of [['github'], '["github"]', [{ id: 'gh', connector: 'github' }], [{ name: 'github' }]]) {
      const error = errorOf({ connectors });
      expect(error.keys).toEqual(['connectors[0].connector']);
      expect(lineFor(error, 'connectors[0].connector')).toContain(`unknown connector "github" (known: ${connectorNames.join(', ')})`);
    }
  });

  it('rejects a function name over 64 characters, naming the instance', () => {
    const error = errorOf({ stackName: `S${'t'.repeat(40)}`, connectors: [{ id: `segment-${'e'.repeat(20)}`, connector: 'segment' }] });
    expect(lineFor(error, 'connectors[0].id')).toMatch(/function name ".*-sync" is 75 characters, Lambda allows 64/);
  });

  const prefixes: [string, RegExp][] = [
    ['bad key', /contains a space/],
    ['baton/', /must not start or end with "\/"/],
    ['/baton', /must not start or end with "\/"/],
    ['a//b', /empty segment/],
    ['a/../b', /"\." or "\.\." segments/],
    ['caf\u00e9', /contains "\u00e9"/],
    ['tab\there', /white space/],
    ['', /expected path segments/],
  ];
  it.each(prefixes)('keyPrefix %j: names the real problem', (keyPrefix, message) => {
    const line = lineFor(errorOf({ connectors: ['segment'], keyPrefix }), 'keyPrefix');
    expect(line).toMatch(message);
    if (keyPrefix === 'bad key') expect(line).not.toMatch(/start or end|leading or trailing/);
  });

  it('the app prints the unknown-connector error as one line and exits 1 (no stack trace)', () => {
    const run = spawnSync(join(REPO_ROOT, 'node_modules/.bin/node'), ['infra/app.ts'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', CDK_CONTEXT_JSON: JSON.stringify({ connectors: ['github'] }), CDK_OUTDIR: '/nonexistent' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      'Invalid configuration (cdk.json "context", or -c on the command line):',
      `  cdk.json context "connectors[0].connector": unknown connector "github" (known: ${connectorNames.join(', ')})`,
    ]);
  });
});
