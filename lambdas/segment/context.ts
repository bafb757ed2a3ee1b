// What every syncer of one connector instance shares: the client, the runtime, the sync's role
// catalog and what one sync learns on the way (the workspace, group permissions seen in lists).
import type { ConnectorRuntime } from '../../shared/sync/connector.ts';
import { resourceId } from '../../shared/sync/model.ts';
import type { Permission, SegmentClient, Workspace } from './client.ts';
import type { PermissionGrantContext } from './resources/permissions.ts';
import { RoleCatalog } from './roles.ts';

export interface SegmentContext {
  client: SegmentClient;
  runtime: ConnectorRuntime;
  roles: RoleCatalog;
  /** Parallel GET /users/{id} calls while walking a page of users. */
  userDetailConcurrency: number;
  /**
   * Group permissions seen on GET /groups rows, when Segment includes them, so group grants can skip
   * GET /groups/{id}. Bounded by the number of groups (small), unlike users.
   */
  groupPermissions: Map<string, Permission[]>;
  /** The token's workspace: GET / once per instance (a failed call is retried on the next ask). */
  workspace(): Promise<Workspace>;
  /** Everything permissionGrants needs; loads the role list on first use. */
  grantContext(workspaceId: string): Promise<PermissionGrantContext>;
}

export function segmentContext(client: SegmentClient, runtime: ConnectorRuntime, userDetailConcurrency = 8): SegmentContext {
  const roles = new RoleCatalog(client);
  let workspace: Promise<Workspace> | undefined;
  const skipReasons = new Map<string, number>();
  const skip = (reason: string, permission: Permission) => {
    const n = (skipReasons.get(reason) ?? 0) + 1;
    skipReasons.set(reason, n);
    // One line per reason: enough to notice, without a line per user.
    if (n === 1) runtime.log('segment: permission without a matching entitlement skipped', { reason, roleId: permission.roleId });
  };
  return {
    client,
    runtime,
    roles,
    userDetailConcurrency,
    groupPermissions: new Map(),
    workspace() {
      workspace ??= client.workspace().catch((err: unknown) => {
        workspace = undefined;
        throw err;
      });
      return workspace;
    },
    async grantContext(workspaceId) {
      const byId = new Map((await roles.all()).map((r) => [r.id, r]));
      return { workspace: resourceId('workspace', workspaceId), role: (id) => byId.get(id), skipped: skip };
    },
  };
}
