// The package from outside: `npm pack` (which builds dist/ and the prebuilt bundles), the tarball
// installed into a scratch TypeScript CDK app in a temporary folder with its own package.json, and
// a stack synthesized there from the constructs with an existing bucket and two connector
// instances, checked with cdk-nag. Then the CLI from the same tarball, installed globally under a
// temporary prefix: `demo` and `inspect`. Dependencies come from the npm cache where they can
// (--prefer-offline); one pack and two installs (about 5 minutes on an idle 2-core machine), so
// this is the slowest test of the infra lane.
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { ARCHITECTURES, bundleName } from '../../infra/asset-layout.ts';
import { bundleConnector, REPO_ROOT } from '../../infra/bundling.ts';
import { connectorNames } from '../../lambdas/index.ts';

const work = mkdtempSync(join(tmpdir(), 'baton-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PKG = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
// Node 24 first on PATH: the CLI's shebang is `env node`, and the system node may be older.
const PATH = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;

function run(command: string, args: string[], options: SpawnSyncOptions & { cwd: string }) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_') && !k.startsWith('npm_')) env[k] = v;
  Object.assign(env, { PATH, CDK_DISABLE_VERSION_CHECK: 'true', AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' }, options.env ?? {});
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 600_000, ...options, env });
  const out = `${command} ${args.join(' ')} (exit ${result.status})\n${result.stdout}\n${result.stderr}`;
  return { ...result, out, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const npm = (args: string[], cwd: string) => run('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd });

let tarball = '';
beforeAll(() => {
  const packed = npm(['pack', '--json', '--pack-destination', work], REPO_ROOT);
  expect(packed.status, packed.out).toBe(0);
  const json = packed.stdout.slice(packed.stdout.indexOf('[\n'));
  tarball = join(work, (JSON.parse(json) as { filename: string }[])[0]!.filename);
}, 900_000);

describe('npm pack', () => {
  it('ships dist, the bundles, the CLI shim and the changelog, and no tests, simulators fixtures or sources', () => {
    const listed = run('tar', ['-tzf', tarball], { cwd: work });
    expect(listed.status, listed.out).toBe(0);
    const files = listed.stdout
      .split('\n')
      .filter((f) => f && !f.endsWith('/'))
      .map((f) => f.replace(/^package\//, ''));
    expect(files).toContain('bin/baton-serverless.js');
    expect(files).toContain('dist/infra/index.d.ts');
    expect(files).toContain('CHANGELOG.md');
    for (const connector of connectorNames) for (const arch of ARCHITECTURES) expect(files).toContain(`assets/${bundleName(connector, arch)}/index.mjs`);
    expect(files).toContain('assets/provisioning-arm64/index.mjs');
    const unwanted = files.filter((f) =>
      /^test\/|\.test\.|\/fixtures\/|\.cache|node_modules|^(shared|lambdas|infra|bin\/cli)\/.*\.ts$|infra\/(bundling|elf|app)\./.test(f),
    );
    expect(unwanted).toEqual([]);
  });

  it('the prebuilt bundle is the one the repository bundles from source', () => {
    const extracted = join(work, 'extracted');
    mkdirSync(extracted);
    expect(run('tar', ['-xzf', tarball, '-C', extracted], { cwd: work }).status).toBe(0);
    const fresh = join(work, 'fresh-slack-x86_64');
    bundleConnector('slack', 'x86_64', fresh);
    const shipped = join(extracted, 'package/assets/slack-x86_64');
    expect(readdirSync(shipped).sort()).toEqual(readdirSync(fresh).sort());
    for (const file of readdirSync(fresh)) expect(readFileSync(join(shipped, file)).equals(readFileSync(join(fresh, file))), file).toBe(true);
  });
});

const APP = `import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConductorOneAccessRole, ConnectorSync, SyncMonitoring } from 'baton-serverless/cdk';

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'IdentitySyncs');
const bucket = Bucket.fromBucketName(stack, 'Exports', 'acme-identity-exports');
const monitoring = new SyncMonitoring(stack, 'Monitoring', { dashboardName: 'identity-syncs', alarmPrefix: 'identity', namespace: 'BatonServerless' });
const slack = new ConnectorSync(stack, 'Slack', { connector: 'slack', existingBucketObj: bucket, monitoring, schedule: 'rate(2 hours)' });
const segment: ConnectorSync = new ConnectorSync(stack, 'SegmentEu', {
  connector: 'segment',
  instanceId: 'segment-eu',
  architecture: 'x86_64',
  existingBucketObj: bucket,
  monitoring,
});
new ConductorOneAccessRole(stack, 'ConductorOne', { syncs: [slack, segment], externalId: 'acme-c1-external-id' });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
`;

describe('a CDK app of your own, with the package installed from the tarball', () => {
  const dir = join(work, 'app');
  let synth: ReturnType<typeof run>;
  let template: { Resources: Record<string, { Type: string; Properties: any }> };

  beforeAll(() => {
    mkdirSync(dir);
    const dev = PKG.devDependencies;
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'scratch-cdk-app',
        private: true,
        type: 'module',
        dependencies: {
          'baton-serverless': `file:${tarball}`,
          'aws-cdk-lib': dev['aws-cdk-lib'],
          constructs: dev['constructs'],
          'cdk-nag': dev['cdk-nag'],
        },
        devDependencies: { typescript: dev['typescript'], '@types/node': dev['@types/node'] },
      }),
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        // skipLibCheck: aws-cdk-lib's own declarations take minutes to check; app.ts is still checked against ours.
        compilerOptions: {
          target: 'es2024',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          types: ['node'],
          skipLibCheck: true,
        },
        include: ['app.ts'],
      }),
    );
    writeFileSync(join(dir, 'app.ts'), APP);
    // Optional native extras (zstd-napi builds from source) are not what this checks: the runtime falls back to node:zlib.
    const installed = npm(['install', '--omit=optional'], dir);
    expect(installed.status, installed.out).toBe(0);
    synth = run(process.execPath, ['app.ts', join(dir, 'cdk.out')], { cwd: dir });
    if (synth.status === 0) template = JSON.parse(readFileSync(join(dir, 'cdk.out/IdentitySyncs.template.json'), 'utf8'));
  }, 900_000);

  it('type-checks against the published declarations', () => {
    const tsc = run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: dir });
    expect(tsc.status, tsc.out).toBe(0);
  }, 300_000);

  it('synthesizes with cdk-nag on and no finding left', () => {
    expect(synth.status, synth.out).toBe(0);
    expect(synth.out).not.toMatch(/AwsSolutions-\w+/);
  });

  it('runs no bundler: esbuild is not installed, and each function is the prebuilt folder for its architecture', () => {
    expect(existsSync(join(dir, 'node_modules/esbuild'))).toBe(false);
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => [f.Properties.FunctionName, f.Properties.Architectures])).toEqual([
      ['IdentitySyncs-slack-sync', ['arm64']],
      ['IdentitySyncs-segment-eu-sync', ['x86_64']],
    ]);
    const shipped = join(dir, 'node_modules/baton-serverless/assets');
    for (const [fn, bundle] of [
      [functions[0]!, 'slack-arm64'],
      [functions[1]!, 'segment-x86_64'],
    ] as const) {
      const staged = join(dir, 'cdk.out', `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      expect(readdirSync(staged).sort()).toEqual(readdirSync(join(shipped, bundle)).sort());
      expect(readFileSync(join(staged, 'index.mjs')).equals(readFileSync(join(shipped, bundle, 'index.mjs')))).toBe(true);
    }
  });

  it("the repository's own synth, bundling from source, gives the same asset (same CDK asset hash)", { timeout: 300_000 }, () => {
    const outdir = join(work, 'repo-synth');
    const { app } = buildApp({ outdir, context: { connectors: ['slack'] }, nag: false });
    app.synth();
    const repo = JSON.parse(readFileSync(join(outdir, 'BatonServerless.template.json'), 'utf8')) as typeof template;
    const keyOf = (t: typeof template, name: string) =>
      Object.values(t.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === name)!.Properties.Code.S3Key;
    expect(keyOf(template, 'IdentitySyncs-slack-sync')).toBe(keyOf(repo, 'BatonServerless-slack-sync'));
  });

  it('least privilege: each role reaches its own secret and its own prefix of the existing bucket', () => {
    const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::IAM::Policy');
    const statements = (roleHint: string) =>
      policies.filter((p) => JSON.stringify(p.Properties.Roles).includes(roleHint)).flatMap((p) => p.Properties.PolicyDocument.Statement as any[]);
    for (const [hint, prefix, other] of [
      ['SlackRole', 'baton/slack/', 'SegmentEu'],
      ['SegmentEuRole', 'baton/segment-eu/', 'SlackSecret'],
    ] as const) {
      const own = statements(hint);
      const objects = own.find((s) => s.Sid === 'OwnObjects');
      expect(JSON.stringify(objects.Resource)).toContain(`:s3:::acme-identity-exports/${prefix}*`);
      expect(own.find((s) => s.Sid === 'ReadOwnSecret').Action).toBe('secretsmanager:GetSecretValue');
      expect(JSON.stringify(own)).not.toContain(other);
      expect(own.every((s) => s.Resource !== '*')).toBe(true);
    }
    const reader = statements('ConductorOneRole').find((s) => s.Sid === 'ReadSyncFiles');
    expect(JSON.stringify(reader.Resource)).toContain('acme-identity-exports/baton/slack/sync.c1z');
    expect(JSON.stringify(reader.Resource)).toContain('acme-identity-exports/baton/segment-eu/sync.c1z');
    // The existing bucket is referenced, not created.
    expect(Object.values(template.Resources).some((r) => r.Type === 'AWS::S3::Bucket')).toBe(false);
  });
});

describe('the CLI installed globally from the tarball', () => {
  const prefix = join(work, 'global');
  const bin = join(prefix, 'bin/baton-serverless');

  beforeAll(() => {
    const installed = npm(['install', '--global', '--omit=optional', '--prefix', prefix, tarball], work);
    expect(installed.status, installed.out).toBe(0);
  }, 900_000);

  it('baton-serverless --version, demo and inspect', () => {
    const version = run(bin, ['--version'], { cwd: work });
    expect(version.status, version.out).toBe(0);
    expect(version.stdout).toContain(`baton-serverless ${PKG.version}`);
    const out = join(work, 'demo-out');
    const demo = run(bin, ['demo', '--out', out, '--users', '20', '--json'], { cwd: work, timeout: 300_000 });
    expect(demo.status, demo.out).toBe(0);
    for (const connector of connectorNames) expect(existsSync(join(out, connector, 'sync.c1z')), connector).toBe(true);
    const inspect = run(bin, ['inspect', join(out, 'slack', 'sync.c1z'), '--json'], { cwd: work });
    expect(inspect.status, inspect.out).toBe(0);
    expect(JSON.parse(inspect.stdout)).toBeTypeOf('object');
    expect(inspect.stdout).toContain('"user"');
    // No peer dependency was needed for the CLI.
    expect(existsSync(join(prefix, 'lib/node_modules/baton-serverless/node_modules/aws-cdk-lib'))).toBe(false);
  }, 300_000);
});
