// Sources, warehouses, functions and spaces share one shape: a paged list, one permission
// entitlement per role that applies to the type, and no grants of their own (they come from
// users' and groups' permissions).
import { type Any, anyUnpack, StructSchema } from '@bufbuild/protobuf/wkt';
import type { Entitlement, Resource, ResourceId, ResourceType } from '../../../shared/c1z/messages.ts';
import type { Page, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { entitlement, Purpose, pack, resource } from '../../../shared/sync/model.ts';
import type { Named, Role } from '../client.ts';
import type { SegmentContext } from '../context.ts';
import type { CatalogRole } from '../roles.ts';
import { provisioner } from './provision.ts';
import { groupType, type PermissionTargetType, userType } from './types.ts';

export type ListTargets = (pageToken: string | undefined) => Promise<Page<Named>>;

export function targetResource(type: PermissionTargetType, item: Named, workspace: ResourceId): Resource {
  return resource({ type, id: item.id, displayName: item.name, parent: workspace });
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

export function permissionTargetSyncer(ctx: SegmentContext, type: PermissionTargetType, resourceType: ResourceType, listTargets: ListTargets): ResourceSyncer {
  return {
    ...provisioner(ctx),
    resourceType,
    async list(parent, pageToken) {
      if (!parent) return { rows: [] };
      const page = await listTargets(pageToken);
      return { rows: page.rows.map((item) => targetResource(type, item, parent)), nextPageToken: page.nextPageToken };
    },
    async entitlements(target) {
      const roles = await ctx.roles.forTarget(type);
      return { rows: roles.map((role) => permissionEntitlement(target, role)) };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
