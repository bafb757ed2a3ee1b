// Segment objects -> baton resources, entitlements and grants (ids: README.md). Pure functions: no I/O.
import { StructSchema, anyUnpack } from '@bufbuild/protobuf/wkt';
import type { Any } from '@bufbuild/protobuf/wkt';
import type { Entitlement, Grant, Resource, ResourceId } from '../../shared/c1z/messages.ts';
import {
  entitlement,
  grant,
  groupTrait,
  pack,
  profile,
  Purpose,
  resource,
  resourceId,
  roleTrait,
  userTrait,
  memberEntitlement,
} from '../../shared/sync/model.ts';
import type { Named, Permission, Role, User, UserGroup, Workspace } from './client.ts';
import { groupType, targetBySegmentType, userType, WORKSPACE_CHILDREN, type PermissionTargetType } from './resources/types.ts';
import type { CatalogRole } from './roles.ts';

export function workspaceResource(ws: Workspace): Resource {
  return resource({ type: 'workspace', id: ws.id, displayName: ws.name, childTypes: WORKSPACE_CHILDREN });
}

/** "A B C" -> ["A", "B C"]: the Go connector splits on the first space only. */
export function splitName(name: string): [string, string] {
  const i = name.indexOf(' ');
  return i < 0 ? [name, ''] : [name.slice(0, i), name.slice(i + 1)];
}

export function userResource(user: User, workspace: ResourceId): Resource {
  const [first, last] = splitName(user.name);
  return resource({
    type: 'user',
    id: user.id,
    displayName: user.name,
    parent: workspace,
    annotations: [
      userTrait({
        emails: user.email ? [{ address: user.email, primary: true }] : [],
        profile: profile({ first_name: first, last_name: last, login: user.email, user_id: user.id }),
      }),
    ],
  });
}

export function groupResource(group: Pick<UserGroup, 'id' | 'name'>, workspace: ResourceId): Resource {
  return resource({
    type: 'group',
    id: group.id,
    displayName: group.name,
    parent: workspace,
    annotations: [groupTrait({ profile: profile({ group_name: group.name, group_id: group.id }) })],
  });
}

export function roleResource(role: Role, workspace: ResourceId): Resource {
  return resource({
    type: 'role',
    id: role.id,
    displayName: role.name,
    parent: workspace,
    annotations: [roleTrait({ profile: profile({ role_name: role.name, role_id: role.id, role_description: role.description }) })],
  });
}

export function targetResource(type: PermissionTargetType, item: Named, workspace: ResourceId): Resource {
  return resource({ type, id: item.id, displayName: item.name, parent: workspace });
}

export function workspaceMemberEntitlement(ws: Resource): Entitlement {
  return memberEntitlement(ws, {
    displayName: `${ws.displayName} Workspace member`,
    description: `Member of ${ws.displayName} Segment workspace`,
    grantableTo: [userType],
  });
}

export function groupMemberEntitlement(group: Resource): Entitlement {
  return memberEntitlement(group, {
    displayName: `${group.displayName} group member`,
    description: `Member of ${group.displayName} Segment group`,
    grantableTo: [userType],
  });
}

export function roleMemberEntitlement(role: Resource): Entitlement {
  return memberEntitlement(role, {
    displayName: `${role.displayName} Role member`,
    description: `Member of ${role.displayName} Segment role`,
    grantableTo: [userType, groupType],
  });
}

const ROLE_ID_KEY = 'segment_role_id';
const ROLE_NAME_KEY = 'segment_role_name';

/** The role behind a permission entitlement, kept as a Struct annotation so provisioning never parses text. */
function roleAnnotation(role: Role): Any {
  return pack(StructSchema, {
    fields: {
      [ROLE_ID_KEY]: { kind: { case: 'stringValue', value: role.id } },
      [ROLE_NAME_KEY]: { kind: { case: 'stringValue', value: role.name } },
    },
  });
}

export function permissionEntitlement(target: Resource, role: CatalogRole): Entitlement {
  return entitlement(target, role.slug, {
    purpose: Purpose.PERMISSION,
    displayName: `${target.displayName} resource ${role.name}`,
    // Same text as the Go connector; the role id is read from the annotation, not from here.
    description: `${role.name}:${role.id}:${role.description}`,
    grantableTo: [userType, groupType],
    annotations: [roleAnnotation(role)],
  });
}

/** The Segment role id an entitlement stands for: the role resource itself or the role annotation. */
export function roleIdOf(ent: Entitlement): string | undefined {
  if (ent.resource?.id?.resourceType === 'role') return ent.resource.id.resource;
  for (const a of ent.annotations) {
    const s = anyUnpack(a, StructSchema);
    const v = s?.fields[ROLE_ID_KEY]?.kind;
    if (v?.case === 'stringValue') return v.value;
  }
  return undefined;
}

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

export function userPrincipal(id: string): ResourceId {
  return resourceId(userType.id, id);
}

export function groupPrincipal(id: string): ResourceId {
  return resourceId(groupType.id, id);
}
