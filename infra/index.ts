/**
 * `baton-serverless/cdk`: the CDK constructs. ConnectorSync is one connector instance;
 * BatonServerless the whole deployment as this repository's stack makes it; ConductorOneAccessRole
 * the role ConductorOne reads the files with; ProvisioningEndpoint the function URL ConductorOne
 * provisions through; EgressVpc a VPC with fixed egress addresses. See docs/constructs.md.
 */
export { ARCHITECTURES, type Architecture, HANDLER } from './asset-layout.ts';
export { connectorCode, MissingBundleError, provisioningCode } from './code.ts';
export {
  type BucketConfig,
  CONDUCTORONE_PRINCIPAL_ARN,
  type Config,
  ConfigError,
  type ConnectorConfig,
  LIVE_ALIAS,
  loadConfig,
  type VpcConfig,
} from './config.ts';
export { BatonServerless, type BatonServerlessProps, type BatonServerlessSettings, type ConnectorEntry, invokeCommand } from './constructs/baton-serverless.ts';
export { CONDUCTORONE_READ_ACTIONS, ConductorOneAccessRole, type ConductorOneAccessRoleProps } from './constructs/conductorone-access-role.ts';
export { ConnectorSync, type ConnectorSyncProps, type ConnectorSyncSettings, checkpointExpirationDays } from './constructs/connector-sync.ts';
export { EgressVpc, type EgressVpcProps } from './constructs/egress-vpc.ts';
export { type ProvisionedInstance, ProvisioningEndpoint, type ProvisioningEndpointProps } from './constructs/provisioning-endpoint.ts';
export { type ExpiringPrefix, SyncBucket, type SyncBucketProps } from './constructs/sync-bucket.ts';
export {
  type ConnectorAlarms,
  DURABLE_METRIC,
  METRIC,
  type MonitoredInstance,
  type MonitoredProvisioning,
  SyncMonitoring,
  type SyncMonitoringProps,
} from './constructs/sync-monitoring.ts';
export { BatonServerlessStack, type BatonServerlessStackProps } from './stack.ts';
