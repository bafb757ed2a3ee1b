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
  shrinkBlocked: 'ShrinkBlocked',
  shrinkAccepted: 'ShrinkAccepted',
  driftResourcesAdded: 'DriftResourcesAdded',
  driftResourcesRemoved: 'DriftResourcesRemoved',
  driftEntitlementsAdded: 'DriftEntitlementsAdded',
  driftEntitlementsRemoved: 'DriftEntitlementsRemoved',
  driftGrantsAdded: 'DriftGrantsAdded',
  driftGrantsRemoved: 'DriftGrantsRemoved',
  provisionSucceeded: 'ProvisionSucceeded',
  provisionFailed: 'ProvisionFailed',
} as const;

/** Drift metrics per resource type carry this dimension on top of {service, connector, instance}. */
export const RESOURCE_TYPE_DIMENSION = 'resourceType';

/** The drift metric of each kind and direction. */
export const DRIFT_METRIC = {
  resources: { added: METRIC.driftResourcesAdded, removed: METRIC.driftResourcesRemoved },
  entitlements: { added: METRIC.driftEntitlementsAdded, removed: METRIC.driftEntitlementsRemoved },
  grants: { added: METRIC.driftGrantsAdded, removed: METRIC.driftGrantsRemoved },
} as const;
