// Names the runtime emits and the dashboard and alarms (infra/) read: one definition for both.
export const SERVICE_NAME = 'baton-serverless';
export const DEFAULT_NAMESPACE = 'BatonServerless';

export const METRIC = {
  succeeded: 'SyncSucceeded',
  failed: 'SyncFailed',
  durationMs: 'SyncDurationMs',
  resourceTypes: 'ResourceTypes',
  resources: 'Resources',
  entitlements: 'Entitlements',
  grants: 'Grants',
  c1zBytes: 'C1zBytes',
  apiRequests: 'ApiRequests',
  apiRetries: 'ApiRetries',
  apiThrottles: 'ApiThrottles',
  slices: 'SyncSlices',
  checkpointBytes: 'CheckpointBytes',
  checkpointMs: 'CheckpointMs',
  skipped: 'SyncSkipped',
  runningMinutes: 'SyncRunningMinutes',
  /** A slice that ended (deadline) without finishing a single page: the next one starts where it did. */
  stalledSlices: 'SliceStalled',
  provisionSucceeded: 'ProvisionSucceeded',
  provisionFailed: 'ProvisionFailed',
} as const;
