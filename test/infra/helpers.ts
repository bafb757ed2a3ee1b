// Shared helpers for the CDK assertion tests: synthesize the app in-process with bundling skipped
// (`aws:cdk:bundling-stacks: []`), each App in its own temporary outdir.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.ts';
import { REPO_ROOT } from '../../infra/bundling.ts';

export const CDK_JSON = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

/**
 * The tests' own context: cdk.json's settings with an explicit connector list, so a change to
 * cdk.json or to the registry does not silently change what these tests check.
 */
export const TEST_CONTEXT: Record<string, unknown> = {
  ...CDK_JSON.context,
  stackName: 'BatonServerless',
  connectors: ['slack', 'segment', 'fullstory'],
  keyPrefix: 'baton',
  metricsNamespace: 'BatonServerless',
  logLevel: 'INFO',
  logRetentionDays: 90,
};

const outdirs: string[] = [];

export function tempOutdir(prefix = 'baton-infra-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
}

/** Removes every outdir made by this test file (call in afterAll). */
export function cleanupOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Synthesizes the stack from TEST_CONTEXT overridden by `context` (bundling skipped).
 * `replace: true` starts from an empty context instead.
 */
export function synth(context: Record<string, unknown> = {}, options: { replace?: boolean; nag?: boolean } = {}) {
  const base = options.replace ? {} : TEST_CONTEXT;
  const built = buildApp({
    outdir: tempOutdir(),
    nag: options.nag ?? false,
    context: { ...base, ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const template = Template.fromStack(built.stack);
  return { ...built, template };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** The resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The logical id of the single resource of `type` whose id starts with `prefix`. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
  return ids[0]!;
}

/** The statements of the IAM policy attached to the role whose logical id starts with `rolePrefix`. */
export function policyStatements(template: Template, rolePrefix: string): any[] {
  const roleId = logicalId(template, 'AWS::IAM::Role', rolePrefix);
  const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p) =>
    ((p.Properties?.['Roles'] ?? []) as { Ref: string }[]).some((r) => r.Ref === roleId),
  );
  return policies.flatMap((p) => p.Properties?.['PolicyDocument']?.Statement as any[]);
}

/** Every action in `statements`, flattened. */
export function actionsOf(statements: any[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
}

/** The function resource of a connector (logical ids are `<Pascal>SyncFunction...`). */
export function functionOf(template: Template, pascalName: string): Record<string, any> {
  const id = logicalId(template, 'AWS::Lambda::Function', `${pascalName}SyncFunction`);
  return resourcesOf(template, 'AWS::Lambda::Function')[id]!.Properties!;
}
