/**
 * The CDK app (cdk.json: `"app": "node infra/app.ts"`; Node 24 runs TypeScript directly).
 * Reads the configuration from the context, builds the stack and runs cdk-nag's AwsSolutions
 * checks on everything: any unacknowledged finding fails the synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { BatonServerlessStack, type BatonServerlessStackProps } from './stack.ts';

export interface BuildAppOptions {
  /** Passed to the App (tests: their own outdir and context). */
  outdir?: string;
  context?: Record<string, unknown>;
  /** Run cdk-nag (default true). */
  nag?: boolean;
  code?: BatonServerlessStackProps['code'];
  provisioningCode?: BatonServerlessStackProps['provisioningCode'];
}

export function buildApp(options: BuildAppOptions = {}): { app: App; stack: BatonServerlessStack; config: Config } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    ...(options.context ? { context: options.context } : {}),
  });
  const config = loadConfig(app.node.getAllContext());
  const stack = new BatonServerlessStack(app, config.stackName, {
    config,
    // Environment-agnostic: deploys into the account and region of the CLI's credentials, and the
    // template is the same on every machine (no lookups, nothing to resolve at synth).
    ...(options.code ? { code: options.code } : {}),
    ...(options.provisioningCode ? { provisioningCode: options.provisioningCode } : {}),
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}

const isMain = import.meta.filename === process.argv[1] || process.argv[1]?.endsWith('infra/app.ts');
if (isMain) {
  try {
    buildApp().app.synth();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 1;
    } else {
      throw error;
    }
  }
}
