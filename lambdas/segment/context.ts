// What every syncer of one connector instance shares: the client, the runtime, the sync's role
// catalog and what one sync learns on the way (the workspace, group permissions seen in lists).
import { z } from 'zod';
import type { ConnectorRuntime } from '../../shared/sync/connector.ts';
import { resourceId } from '../../shared/sync/model.ts';
import { type Permission, permissionSchema, type SegmentClient, type Workspace } from './client.ts';
import type { PermissionGrantContext } from './resources/permissions.ts';
import { RoleCatalog } from './roles.ts';

export interface SegmentContext {
  client: SegmentClient;
  runtime: ConnectorRuntime;
  roles: RoleCatalog;
  /** Parallel GET /users/{id} calls while walking a page of users. */
  userDetailConcurrency: number;
  /**
   * Group permissions seen on GET /groups rows, when Segment includes them, kept in the connector
   * state (so across slices too): they spare the group's grants GET /groups/{id}. Not deleted once
   * read, so a grants page redone after a failure still finds them.
   */
  putGroupPermissions(groupId: string, permissions: Permission[]): void;
  groupPermissions(groupId: string): Permission[] | undefined;
  /** The token's workspace: GET / once per instance (a failed call is retried on the next ask). */
  workspace(): Promise<Workspace>;
  /** Everything permissionGrants needs; loads the role list on first use. */
  grantContext(workspaceId: string): Promise<PermissionGrantContext>;
}

export function segmentContext(client: SegmentClient, runtime: ConnectorRuntime, userDetailConcurrency = 8): SegmentContext {
  const roles = new RoleCatalog(client, runtime.state);
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
    putGroupPermissions(groupId, permissions) {
      runtime.state.set(`group-permissions:${groupId}`, JSON.stringify(permissions));
    },
    groupPermissions(groupId) {
      const raw = runtime.state.get(`group-permissions:${groupId}`);
      return raw === undefined ? undefined : z.array(permissionSchema).parse(JSON.parse(raw));
    },
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
