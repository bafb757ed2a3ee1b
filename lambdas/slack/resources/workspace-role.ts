// The eight synthetic roles of each workspace; their grants come from the workspace.
import type { Resource } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { entitlement, Purpose, resource, resourceId, roleTrait } from '../../../shared/sync/model.ts';
import type { SlackContext } from '../context.ts';
import { workspaceName } from '../workspaces.ts';
import { ASSIGNED, type RoleKey, userType, WORKSPACE_ROLES, workspaceRoleType, workspaceType } from './types.ts';

const DISPLAY = new Map<string, string>(WORKSPACE_ROLES);

export function roleResource(workspaceId: string, key: RoleKey): Resource {
  return resource({
    type: workspaceRoleType.id,
    id: `${workspaceId}:${key}`,
    displayName: DISPLAY.get(key) ?? key,
    parent: resourceId(workspaceType.id, workspaceId),
    annotations: [roleTrait()],
  });
}

export function workspaceRoleSyncer(ctx: SlackContext): ResourceSyncer {
  return {
    resourceType: workspaceRoleType,

    async list(parent) {
      if (!parent) return { rows: [] };
      return { rows: WORKSPACE_ROLES.map(([key]) => roleResource(parent.resource, key)) };
    },

    async entitlements(res) {
      const workspaceId = res.parentResourceId?.resource ?? (res.id?.resource ?? '').split(':')[0] ?? '';
      const name = await workspaceName(ctx, workspaceId);
      const role = res.displayName;
      return {
        rows: [
          entitlement(res, ASSIGNED, {
            purpose: Purpose.ASSIGNMENT,
            displayName: `${name} workspace ${role} role`,
            description: `Has the ${role} role in the Slack ${name} workspace`,
            grantableTo: [userType],
          }),
        ],
      };
    },

    async grants() {
      return { rows: [] };
    },
  };
}
