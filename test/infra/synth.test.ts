// `npx cdk synth` offline (no credentials, no network), with bundling and cdk-nag on: the exact
// command the README documents. Plus an in-process synth with bundling on to check that each
// function gets its own asset built for its own architecture.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { REPO_ROOT } from '../../infra/bundling.ts';
import { EM_AARCH64, EM_X86_64, readElf } from '../../infra/elf.ts';
import { connectorNames } from '../../lambdas/index.ts';
import { cleanupOutdirs, TEST_CONTEXT, tempOutdir } from './helpers.ts';

afterAll(cleanupOutdirs);

// cdk.json lists no connectors: the CLI synth deploys every connector of the registry, and a
// connector whose handler is missing fails it.
const registered = [...connectorNames];

/** The asset folder each function's code points at, by function name. */
function assetsByFunction(outdir: string, stackName = 'BatonServerless'): Record<string, string> {
  const template = JSON.parse(readFileSync(join(outdir, `${stackName}.template.json`), 'utf8'));
  const out: Record<string, string> = {};
  for (const r of Object.values<any>(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const hash = String(r.Properties.Code.S3Key).replace(/\.zip$/, '');
    out[r.Properties.FunctionName] = join(outdir, `asset.${hash}`);
  }
  return out;
}

/** The environment of an offline CLI run: no credentials, no profile, nothing to reach AWS with. */
function offlineEnv(outdir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
  return Object.assign(env, {
    PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${process.env['PATH'] ?? ''}`,
    CDK_DISABLE_VERSION_CHECK: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(outdir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(outdir, 'no-aws-credentials'),
  });
}

describe('cdk synth', () => {
  it('two instances of one connector: `cdk synth -c connectors=...` passes cdk-nag, both share one bundle', () => {
    const outdir = tempOutdir('baton-cdk-synth-');
    const connectors = [
      { id: 'segment-us', connector: 'segment' },
      { id: 'segment-eu', connector: 'segment' },
    ];
    const args = ['synth', '--no-notices', '-q', '-o', outdir, '-c', `connectors=${JSON.stringify(connectors)}`];
    const run = spawnSync(join(REPO_ROOT, 'node_modules/.bin/cdk'), args, {
      cwd: REPO_ROOT,
      env: offlineEnv(outdir),
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')).pluginReports).toEqual([]);
    const assets = assetsByFunction(outdir);
    expect(Object.keys(assets).sort()).toEqual(['BatonServerless-segment-eu-sync', 'BatonServerless-segment-us-sync']);
    // Same connector, same architecture: one bundle.
    expect(new Set(Object.values(assets)).size).toBe(1);
  }, 300_000);

  it('`npx cdk synth --no-notices` runs offline with bundling and cdk-nag, one asset per connector', () => {
    const outdir = tempOutdir('baton-cdk-synth-');
    const env = offlineEnv(outdir);
    const args = ['synth', '--no-notices', '-q', '-o', outdir];
    // No bound on how long it takes: that measures the machine. Offline is what the environment
    // proves (no credentials, no config, no instance metadata), and the spawn timeout ends a hang.
    const run = spawnSync(join(REPO_ROOT, 'node_modules/.bin/cdk'), args, { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 300_000 });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    expect(existsSync(join(outdir, 'BatonServerless.template.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')).pluginReports).toEqual([]);
    const assets = assetsByFunction(outdir);
    expect(Object.keys(assets).sort()).toEqual(registered.map((c) => `BatonServerless-${c}-sync`).sort());
    expect(new Set(Object.values(assets)).size).toBe(registered.length);
    for (const dir of Object.values(assets)) {
      expect(readdirSync(dir).sort()).toEqual(['index.mjs', 'index.mjs.LEGAL.txt', 'linux-arm64.node']);
      expect(readElf(join(dir, 'linux-arm64.node')).machine).toBe(EM_AARCH64);
    }
    // Durable functions, each scheduled through its live alias.
    const template = JSON.parse(readFileSync(join(outdir, 'BatonServerless.template.json'), 'utf8'));
    const resources = Object.entries<any>(template.Resources);
    const functions = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map(([, r]) => r.Properties.DurableConfig)).toEqual(registered.map(() => ({ ExecutionTimeout: 21600, RetentionPeriodInDays: 14 })));
    const aliases = new Map(resources.filter(([, r]) => r.Type === 'AWS::Lambda::Alias').map(([id, r]) => [id, r.Properties]));
    const targets = resources.filter(([, r]) => r.Type === 'AWS::Events::Rule').map(([, r]) => r.Properties.Targets[0].Arn.Ref);
    expect(targets.map((id: string) => aliases.get(id)?.Name)).toEqual(registered.map(() => 'live'));
  }, 300_000);

  it('in-process with bundling on: each function gets the bundle of its own connector and architecture', () => {
    const [first, second] = ['slack', 'segment'];
    const connectors = [
      { name: first, architecture: 'x86_64' },
      { name: second, architecture: 'arm64' },
    ];
    const outdir = tempOutdir();
    const { app } = buildApp({ outdir, context: { ...TEST_CONTEXT, connectors }, nag: true });
    app.synth();
    const assets = assetsByFunction(outdir);
    const x64 = assets[`BatonServerless-${first}-sync`]!;
    expect(readdirSync(x64)).toContain('linux-x64.node');
    expect(readElf(join(x64, 'linux-x64.node')).machine).toBe(EM_X86_64);
    const arm = assets[`BatonServerless-${second}-sync`]!;
    expect(readElf(join(arm, 'linux-arm64.node')).machine).toBe(EM_AARCH64);
    // Different connectors, different code (the asset cache must not hand one bundle to both).
    expect(readFileSync(join(arm, 'index.mjs'))).not.toEqual(readFileSync(join(x64, 'index.mjs')));
  }, 300_000);
});
