/**
 * This repository's stack: the whole deployment (constructs/baton-serverless.ts) from cdk.json's
 * configuration. The deployment has the construct id `Default`, which CDK leaves out of logical
 * ids, so they are those of a stack holding the resources directly.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type Config, pascal } from './config.ts';
import { BatonServerless, type BatonServerlessProps, invokeCommand } from './constructs/baton-serverless.ts';
import { checkpointExpirationDays } from './constructs/connector-sync.ts';

export interface BatonServerlessStackProps extends StackProps {
  config: Config;
  /** Overrides each instance's code asset (tests); default: the connector's bundle. */
  code?: BatonServerlessProps['code'];
  /** Overrides the provisioning function's code asset (tests). */
  provisioningCode?: BatonServerlessProps['provisioningCode'];
}

export { checkpointExpirationDays, invokeCommand, pascal };

export class BatonServerlessStack extends Stack {
  readonly deployment: BatonServerless;

  constructor(scope: Construct, id: string, props: BatonServerlessStackProps) {
    const { config, code, provisioningCode, ...stackProps } = props;
    super(scope, id, {
      description: 'baton-serverless: scheduled Baton syncs writing sync.c1z to S3 for ConductorOne',
      ...stackProps,
    });
    this.deployment = new BatonServerless(this, 'Default', {
      ...config,
      ...(code ? { code } : {}),
      ...(provisioningCode ? { provisioningCode } : {}),
    });
  }
}
