/**
 * `baton-serverless`: the connector and c1z APIs. Run a connector from the registry into a c1z
 * file (syncToFile), read a c1z file (openC1z), write one (C1zWriter), or implement a connector
 * (the ConnectorDefinition types). The CDK constructs are `baton-serverless/cdk`.
 */
export { type ConnectorModule, type ConnectorName, connectorModule, connectorNames, connectors, isConnectorName, loadConnector } from './lambdas/index.ts';
export { C1zReader, chooseSync, type OpenOptions, openC1z, type RowFilter, type SyncRun, type TypeStats } from './shared/c1z/reader.ts';
export { C1zWriter, type Counts, type ResourceKey } from './shared/c1z/writer.ts';
export type { Connector, ConnectorAction, ConnectorDefinition, ConnectorRuntime, Page, ProvisionOutcome, ResourceSyncer } from './shared/sync/connector.ts';
export { ConnectorError } from './shared/sync/connector.ts';
export { type RunSyncOptions, runSync, type SyncSummary, syncToFile } from './shared/sync/run-sync.ts';
