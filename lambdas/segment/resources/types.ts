import { ResourceType_Trait } from '../../../shared/c1z/messages.ts';
import { resourceType } from '../../../shared/sync/model.ts';

export const workspaceType = resourceType({ id: 'workspace', displayName: 'Workspace' });
export const userType = resourceType({ id: 'user', displayName: 'User', traits: [ResourceType_Trait.USER] });
export const groupType = resourceType({ id: 'group', displayName: 'Group', traits: [ResourceType_Trait.GROUP] });
export const roleType = resourceType({ id: 'role', displayName: 'Role', traits: [ResourceType_Trait.ROLE] });
export const sourceType = resourceType({ id: 'source', displayName: 'Source' });
export const warehouseType = resourceType({ id: 'warehouse', displayName: 'Warehouse' });
export const functionType = resourceType({ id: 'function', displayName: 'Function' });
export const spaceType = resourceType({ id: 'space', displayName: 'Space' });

/** Resource types a Segment permission can target besides the workspace itself. */
export type PermissionTargetType = 'source' | 'warehouse' | 'function' | 'space';

export interface PermissionTarget {
  type: PermissionTargetType;
  /** Segment's permission resource `type`. */
  segmentType: 'SOURCE' | 'WAREHOUSE' | 'FUNCTION' | 'SPACE';
  /**
   * Case-sensitive substring of a role's name that makes it apply to this type. Segment names its
   * space roles "Engage ...", not "Space ...".
   */
  keyword: string;
}

export const PERMISSION_TARGETS: readonly PermissionTarget[] = [
  { type: 'source', segmentType: 'SOURCE', keyword: 'Source' },
  { type: 'warehouse', segmentType: 'WAREHOUSE', keyword: 'Warehouse' },
  { type: 'function', segmentType: 'FUNCTION', keyword: 'Function' },
  { type: 'space', segmentType: 'SPACE', keyword: 'Engage' },
];

export function targetBySegmentType(segmentType: string): PermissionTarget | undefined {
  return PERMISSION_TARGETS.find((t) => t.segmentType === segmentType);
}

export function targetByType(type: string): PermissionTarget | undefined {
  return PERMISSION_TARGETS.find((t) => t.type === type);
}

/** Child types the workspace announces, in the Go connector's order. */
export const WORKSPACE_CHILDREN = ['user', 'group', 'role', 'function', 'source', 'warehouse', 'space'];
