// Grant/revoke with the Go connector's provisioning bugs fixed (B3, B6, B7, B8); the group, role
// and permission-target syncers call these.
import type { Entitlement, Grant, Resource } from '../../shared/c1z/messages.ts';
import { UserTraitSchema } from '../../shared/c1z/messages.ts';
import { ConnectorError, type ProvisionOutcome } from '../../shared/sync/connector.ts';
import { findAnnotation } from '../../shared/sync/model.ts';
import type { Permission, SegmentClient } from './client.ts';
import { roleIdOf } from './resources/permission-target.ts';
import { targetByType } from './resources/types.ts';

function fail(code: string, message: string): never {
  throw new ConnectorError('segment', code, message);
}

/** The email Segment's group endpoints take, from the principal's user-trait profile (B7: never a silent no-op). */
export function loginOf(principal: Resource): string {
  const trait = findAnnotation(principal.annotations, UserTraitSchema);
  const login = trait?.profile?.login;
  if (typeof login !== 'string' || login === '') {
    fail('missing_login', `user ${principal.id?.resource ?? '?'} has no login (email) in its profile; Segment group membership is changed by email`);
  }
  return login;
}

export interface PermissionTarget {
  id: string;
  type: string;
}

/** Adds `{roleId, [target]}` unless that exact pair is already held; every other field is kept as read (B6). */
export function addPermission(current: readonly Permission[], roleId: string, target: PermissionTarget): Permission[] {
  const held = current.some((p) => p.roleId === roleId && p.resources.some((r) => r.id === target.id && r.type === target.type));
  if (held) return [...current];
  return [...current, { roleId, resources: [{ id: target.id, type: target.type }] }];
}

/**
 * Removes only the `{roleId, resource id}` pair; a permission left without resources is dropped
 * (B8: the Go code removed the role from every resource). Labels and unknown fields stay (B6).
 */
export function removePermission(current: readonly Permission[], roleId: string, resourceId: string): Permission[] {
  const out: Permission[] = [];
  for (const p of current) {
    if (p.roleId !== roleId) {
      out.push(p);
      continue;
    }
    const resources = p.resources.filter((r) => r.id !== resourceId);
    if (resources.length === p.resources.length) out.push(p);
    else if (resources.length > 0) out.push({ ...p, resources });
  }
  return out;
}

interface PermissionChange {
  roleId: string;
  target: PermissionTarget;
}

/** The slug, also when only the id is known (a grant's embedded entitlement carries id and resource only). */
export function slugOf(ent: Entitlement): string {
  if (ent.slug) return ent.slug;
  const prefix = `${ent.resource?.id?.resourceType ?? ''}:${ent.resource?.id?.resource ?? ''}:`;
  return ent.id.startsWith(prefix) ? ent.id.slice(prefix.length) : '';
}

/** Finds a role id by permission-entitlement slug (the role catalog), for entitlements without the annotation. */
export type RoleBySlug = (slug: string) => Promise<string | undefined>;

/** What a role or resource-permission entitlement means in Segment permission terms. */
export async function permissionChange(ent: Entitlement, roleBySlug?: RoleBySlug): Promise<PermissionChange> {
  const res = ent.resource;
  const type = res?.id?.resourceType ?? '';
  const roleId = roleIdOf(ent) ?? (await roleBySlug?.(slugOf(ent)));
  if (!roleId) fail('bad_entitlement', `entitlement ${ent.id} carries no Segment role id`);
  if (type === 'role') {
    // A workspace-level role targets the workspace: the role resource's parent.
    const workspaceId = res?.parentResourceId?.resource;
    if (!workspaceId) fail('bad_entitlement', `role entitlement ${ent.id} has no parent workspace id`);
    return { roleId, target: { id: workspaceId, type: 'WORKSPACE' } };
  }
  const target = targetByType(type);
  const id = res?.id?.resource;
  if (!target || !id) fail('bad_entitlement', `entitlement ${ent.id} is not a Segment permission entitlement`);
  return { roleId, target: { id, type: target.segmentType } };
}

interface Holder {
  kind: 'user' | 'group';
  id: string;
  permissions: Permission[];
}

/** The principal's current permissions; undefined when the principal no longer exists in Segment. */
async function readPermissions(client: SegmentClient, principal: Resource): Promise<Holder | undefined> {
  const kind = principal.id?.resourceType;
  const id = principal.id?.resource ?? '';
  if (kind === 'user') {
    const user = await client.user(id);
    return user && { kind, id, permissions: user.permissions ?? [] };
  }
  if (kind === 'group') {
    const group = await client.group(id);
    return group && { kind, id, permissions: group.permissions ?? [] };
  }
  return fail('bad_principal', `only users and groups hold Segment permissions, not ${kind ?? '?'}`);
}

async function writePermissions(client: SegmentClient, who: { kind: 'user' | 'group'; id: string }, permissions: Permission[]): Promise<void> {
  if (who.kind === 'user') await client.replaceUserPermissions(who.id, permissions);
  else await client.replaceGroupPermissions(who.id, permissions);
}

function isGroupMembership(ent: Entitlement | undefined): boolean {
  return ent?.resource?.id?.resourceType === 'group' && slugOf(ent) === 'member';
}

/**
 * Group membership is a set add in Segment (adding a member again changes nothing). Whether it
 * changed anything comes from the group's member count before and after (one GET of the group,
 * not a membership walk that could cost many pages on a big group).
 */
export async function grantEntitlement(client: SegmentClient, principal: Resource, ent: Entitlement, roleBySlug?: RoleBySlug): Promise<ProvisionOutcome> {
  if (isGroupMembership(ent)) {
    if (principal.id?.resourceType !== 'user') fail('bad_principal', 'only users can be granted group membership');
    const groupId = ent.resource?.id?.resource ?? '';
    const login = loginOf(principal);
    const before = (await client.group(groupId))?.memberCount;
    const after = await client.addUserToGroup(groupId, login);
    return typeof before === 'number' && before === after ? 'unchanged' : 'changed';
  }
  const change = await permissionChange(ent, roleBySlug);
  // PUT replaces everything: read immediately before writing.
  const current = await readPermissions(client, principal);
  if (!current) fail('not_found', `${principal.id?.resourceType} ${principal.id?.resource} no longer exists in Segment`);
  const next = addPermission(current.permissions, change.roleId, change.target);
  if (next.length === current.permissions.length) return 'unchanged';
  await writePermissions(client, current, next);
  return 'changed';
}

/** A principal that no longer exists holds nothing: its revoke is `unchanged`, not an error. */
export async function revokeGrant(client: SegmentClient, g: Grant, roleBySlug?: RoleBySlug): Promise<ProvisionOutcome> {
  const principal = g.principal;
  const ent = g.entitlement;
  if (!principal || !ent) fail('bad_grant', `grant ${g.id} lacks its principal or entitlement`);
  if (isGroupMembership(ent)) {
    if (principal.id?.resourceType !== 'user') fail('bad_principal', 'only users can hold group membership');
    await client.removeUserFromGroup(ent.resource?.id?.resource ?? '', loginOf(principal));
    return 'changed';
  }
  const change = await permissionChange(ent, roleBySlug);
  const current = await readPermissions(client, principal);
  if (!current) return 'unchanged';
  const next = removePermission(current.permissions, change.roleId, change.target.id);
  if (next.length === current.permissions.length && next.every((p, i) => p === current.permissions[i])) return 'unchanged';
  await writePermissions(client, current, next);
  return 'changed';
}
