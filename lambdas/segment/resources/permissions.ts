// A user's or group's Segment permissions as grants, shared by the workspace walk (users) and the
// group syncer (groups).
import type { Grant, ResourceId } from '../../../shared/c1z/messages.ts';
import { grant, resource } from '../../../shared/sync/model.ts';
import type { Permission } from '../client.ts';
import type { CatalogRole } from '../roles.ts';
import { roleResource } from './role.ts';
import { targetBySegmentType } from './types.ts';

export interface PermissionGrantContext {
  workspace: ResourceId;
  /** Role resource by id (from the once-per-sync role list). */
  role(id: string): CatalogRole | undefined;
  /** Called for permissions that map to no entitlement this connector emits. */
  skipped?(reason: string, permission: Permission): void;
}

/**
 * Grants for one principal's permissions with the Go bugs fixed: each resource type
 * lands on its own type (B5), a grant is emitted only when its entitlement exists, and duplicate
 * ids (the same role in several permissions) are emitted once.
 */
export function permissionGrants(principal: ResourceId, permissions: readonly Permission[], ctx: PermissionGrantContext): Grant[] {
  const out: Grant[] = [];
  const seen = new Set<string>();
  const push = (g: Grant) => {
    if (seen.has(g.id)) return;
    seen.add(g.id);
    out.push(g);
  };
  for (const permission of permissions) {
    const role = ctx.role(permission.roleId);
    if (!role) {
      ctx.skipped?.('unknown role', permission);
      continue;
    }
    for (const res of permission.resources) {
      if (res.type === 'WORKSPACE') {
        push(grant(roleResource(role, ctx.workspace), 'member', principal));
        continue;
      }
      const target = targetBySegmentType(res.type);
      if (!target || !role.targets.has(target.type)) {
        ctx.skipped?.(`role does not apply to ${res.type}`, permission);
        continue;
      }
      const targetRes = resource({ type: target.type, id: res.id, displayName: '', parent: ctx.workspace });
      push(grant(targetRes, role.slug, principal));
    }
  }
  return out;
}
