import { z } from 'zod';
import type { ConnectorRuntime, ConnectorState } from '../../shared/sync/connector.ts';
import { permissionSchema, type Permission, type Workspace } from './client.ts';
import type { SegmentClient } from './client.ts';
import type { PermissionGrantContext } from './mapping.ts';
import { resourceId } from '../../shared/sync/model.ts';
import { RoleCatalog } from './roles.ts';

/** State shared by the syncers of one sync run. */

export class SegmentContext {
  readonly client: SegmentClient;
  readonly roles: RoleCatalog;
  /** Parallel GET /users/{id} calls while walking a page of users. */
  readonly userDetailConcurrency: number;
  private readonly state: ConnectorState;
  private readonly log: ConnectorRuntime['log'];
  private workspacePromise: Promise<Workspace> | undefined;
  private readonly skipReasons = new Map<string, number>();

  constructor(client: SegmentClient, runtime: Pick<ConnectorRuntime, 'log' | 'state'>, userDetailConcurrency = 8) {
    this.client = client;
    this.state = runtime.state;
    this.roles = new RoleCatalog(client, runtime.state);
    this.log = (m, f) => runtime.log(m, f);
    this.userDetailConcurrency = userDetailConcurrency;
  }

  /**
   * Group permissions seen on GET /groups rows, when Segment includes them, kept in the connector
   * state (so across slices too): they spare the group's grants GET /groups/{id}. Not deleted once
   * read, so a grants page redone after a failure still finds them.
   */
  putGroupPermissions(groupId: string, permissions: Permission[]): void {
    this.state.set(`group-permissions:${groupId}`, JSON.stringify(permissions));
  }

  groupPermissions(groupId: string): Permission[] | undefined {
    const raw = this.state.get(`group-permissions:${groupId}`);
    if (raw === undefined) return undefined;
    return z.array(permissionSchema).parse(JSON.parse(raw));
  }

  workspace(): Promise<Workspace> {
    this.workspacePromise ??= this.client.workspace().catch((err: unknown) => {
      this.workspacePromise = undefined;
      throw err;
    });
    return this.workspacePromise;
  }

  /** Everything permissionGrants needs; loads the role list on first use. */
  async grantContext(workspaceId: string): Promise<PermissionGrantContext> {
    const roles = await this.roles.all();
    const byId = new Map(roles.map((r) => [r.id, r]));
    return {
      workspace: resourceId('workspace', workspaceId),
      role: (id) => byId.get(id),
      skipped: (reason, permission) => this.skip(reason, permission),
    };
  }

  private skip(reason: string, permission: Permission): void {
    const n = (this.skipReasons.get(reason) ?? 0) + 1;
    this.skipReasons.set(reason, n);
    // One line per reason: enough to notice, without a line per user.
    if (n === 1) this.log('segment: permission without a matching entitlement skipped', { reason, roleId: permission.roleId });
  }
}
