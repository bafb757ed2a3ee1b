// Grant and revoke for every provisionable entitlement: group membership, standard roles (users
// and groups), app assignment (users and groups), resource-set bindings. Each first reads whether
// the access is already there, so a repeat is `unchanged`; Okta's error codes become one clear line.
import type { Entitlement, Grant, Resource } from '../../shared/c1z/messages.ts';
import { ConnectorError, type ProvisionOutcome, type ResourceSyncer } from '../../shared/sync/connector.ts';
import { collect } from './client.ts';
import type { OktaContext } from './context.ts';
import { CONNECTOR, describeOktaError, E, isNotFound, OktaApiError } from './errors.ts';
import { CUSTOM, groupType, userType } from './resources/types.ts';

type Provisioning = Pick<ResourceSyncer, 'grant' | 'revoke'>;

function fail(code: string, message: string): never {
  throw new ConnectorError(CONNECTOR, code, message);
}

/** Runs a write; Okta's refusal becomes a ConnectorError that says what was tried and why it failed. */
async function attempt<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof OktaApiError) throw new ConnectorError(CONNECTOR, err.code, `${what}: ${describeOktaError(err)}`, { cause: err });
    throw err;
  }
}

function ids(principal: Resource | undefined, ent: Entitlement | undefined) {
  return { type: principal?.id?.resourceType ?? '', principalId: principal?.id?.resource ?? '', target: ent?.resource?.id?.resource ?? '' };
}

function requireType(type: string, allowed: readonly string[], what: string): void {
  if (!allowed.includes(type))
    fail('invalid_argument', `only ${allowed.map((a) => `${a}s`).join(' or ')} can ${what} (got a ${type || 'principal without a type'})`);
}

async function isGroupMember(ctx: OktaContext, groupId: string, userId: string): Promise<boolean> {
  let after: string | undefined;
  do {
    const page = await ctx.client.userGroups(userId, after);
    if (page.items.some((g) => g.id === groupId)) return true;
    after = page.after;
  } while (after);
  return false;
}

export function groupProvisioning(ctx: OktaContext): Provisioning {
  return {
    async grant(principal, ent) {
      const { type, principalId, target } = ids(principal, ent);
      requireType(type, [userType.id], 'be granted group membership');
      const what = `adding user ${principalId} to group ${target}`;
      if (await attempt(what, () => isGroupMember(ctx, target, principalId))) return 'unchanged';
      await attempt(what, () => ctx.client.addGroupMember(target, principalId));
      return 'changed';
    },
    async revoke(g) {
      const { type, principalId, target } = ids(g.principal, g.entitlement);
      requireType(type, [userType.id], 'have group membership revoked');
      const what = `removing user ${principalId} from group ${target}`;
      if (!(await attempt(what, () => isGroupMember(ctx, target, principalId)))) return 'unchanged';
      await attempt(what, () => ctx.client.removeGroupMember(target, principalId));
      return 'changed';
    },
  };
}

export function roleProvisioning(ctx: OktaContext): Provisioning {
  return {
    async grant(principal, ent) {
      const { type, principalId, target } = ids(principal, ent);
      requireType(type, [userType.id, groupType.id], 'be granted a role');
      const what = `assigning role ${target} to ${type} ${principalId}`;
      try {
        if (type === userType.id) await ctx.client.assignUserRole(principalId, target);
        else await ctx.client.assignGroupRole(principalId, target);
      } catch (err) {
        if (err instanceof OktaApiError && err.code === E.roleAlreadyAssigned) return 'unchanged';
        return attempt(what, () => Promise.reject(err));
      }
      return 'changed';
    },
    async revoke(g) {
      const { type, principalId, target } = ids(g.principal, g.entitlement);
      requireType(type, [userType.id, groupType.id], 'have a role revoked');
      const what = `removing role ${target} from ${type} ${principalId}`;
      if (type === userType.id) {
        const roles = await attempt(what, () => ctx.client.userRoles(principalId));
        // Only a direct assignment can be removed from the user; one held through a group stays.
        const held = roles.find((r) => r.type === target && r.type !== CUSTOM && r.status === 'ACTIVE' && r.assignmentType === 'USER');
        if (!held) return 'unchanged';
        await attempt(what, () => ctx.client.unassignUserRole(principalId, held.id));
        return 'changed';
      }
      const roles = await attempt(what, () => ctx.client.groupRolesAll(principalId));
      const held = roles.find((r) => r.type === target && r.status === 'ACTIVE');
      if (!held) return 'unchanged';
      await attempt(what, () => ctx.client.unassignGroupRole(principalId, held.id));
      return 'changed';
    },
  };
}

export function appProvisioning(ctx: OktaContext): Provisioning {
  async function assigned(read: () => Promise<unknown>): Promise<boolean> {
    try {
      await read();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
  return {
    async grant(principal, ent) {
      const { type, principalId, target } = ids(principal, ent);
      requireType(type, [userType.id, groupType.id], 'be assigned an app');
      const what = `assigning app ${target} to ${type} ${principalId}`;
      if (type === userType.id) {
        if (await attempt(what, () => assigned(() => ctx.client.appUser(target, principalId)))) return 'unchanged';
        const user = await attempt(what, () => ctx.client.user(principalId));
        const email = typeof user.profile.email === 'string' ? user.profile.email : undefined;
        await attempt(what, () => ctx.client.assignAppUser(target, principalId, email));
        return 'changed';
      }
      if (await attempt(what, () => assigned(() => ctx.client.appGroup(target, principalId)))) return 'unchanged';
      await attempt(what, () => ctx.client.assignAppGroup(target, principalId));
      return 'changed';
    },
    async revoke(g) {
      const { type, principalId, target } = ids(g.principal, g.entitlement);
      requireType(type, [userType.id, groupType.id], 'have an app assignment revoked');
      const what = `removing app ${target} from ${type} ${principalId}`;
      if (type === userType.id) {
        if (!(await attempt(what, () => assigned(() => ctx.client.appUser(target, principalId))))) return 'unchanged';
        await attempt(what, () => ctx.client.unassignAppUser(target, principalId));
        return 'changed';
      }
      if (!(await attempt(what, () => assigned(() => ctx.client.appGroup(target, principalId))))) return 'unchanged';
      await attempt(what, () => ctx.client.unassignAppGroup(target, principalId));
      return 'changed';
    },
  };
}

/** A binding's id is `<resource set id>:<custom role id>`. */
function bindingParts(id: string): { rsId: string; roleId: string } {
  const parts = id.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1])
    fail('invalid_argument', `invalid resourceset-binding id ${JSON.stringify(id)} (expected <resource set id>:<custom role id>)`);
  return { rsId: parts[0], roleId: parts[1] };
}

export function bindingProvisioning(ctx: OktaContext): Provisioning {
  const memberUrl = (type: string, id: string) => `https://${ctx.config.domain}/api/v1/${type === groupType.id ? 'groups' : 'users'}/${id}`;
  const memberOf = async (rsId: string, roleId: string, type: string, id: string) => {
    const members = await collect((after) => ctx.client.bindingMembers(rsId, roleId, after));
    const suffix = `/${type === groupType.id ? 'groups' : 'users'}/${id}`;
    return members.find((m) => (m._links?.self?.href ?? '').split('?')[0]!.endsWith(suffix));
  };
  return {
    async grant(principal, ent): Promise<ProvisionOutcome> {
      const { type, principalId, target } = ids(principal, ent);
      requireType(type, [userType.id, groupType.id], 'be granted resource-set binding membership');
      const { rsId, roleId } = bindingParts(target);
      const what = `binding ${type} ${principalId} to custom role ${roleId} on resource set ${rsId}`;
      if (await attempt(what, () => memberOf(rsId, roleId, type, principalId).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e)))))
        return 'unchanged';
      await attempt(what, () => ctx.client.createBinding(rsId, roleId, memberUrl(type, principalId)));
      return 'changed';
    },
    async revoke(g: Grant): Promise<ProvisionOutcome> {
      const { type, principalId, target } = ids(g.principal, g.entitlement);
      requireType(type, [userType.id, groupType.id], 'have resource-set binding membership revoked');
      const { rsId, roleId } = bindingParts(target);
      const what = `unbinding ${type} ${principalId} from custom role ${roleId} on resource set ${rsId}`;
      const member = await attempt(what, () => memberOf(rsId, roleId, type, principalId).catch((e) => (isNotFound(e) ? undefined : Promise.reject(e))));
      if (!member) return 'unchanged';
      await attempt(what, () => ctx.client.removeBindingMember(rsId, roleId, member.id));
      return 'changed';
    },
  };
}

/** Revoking a resource set's grant to a custom role deletes that binding (granting one is binding members). */
export function resourceSetProvisioning(ctx: OktaContext): Provisioning {
  return {
    async revoke(g) {
      const rsId = g.entitlement?.resource?.id?.resource ?? '';
      const roleId = g.principal?.id?.resource ?? '';
      const what = `deleting the binding of custom role ${roleId} on resource set ${rsId}`;
      const roles = await attempt(what, () => collect((after) => ctx.client.bindings(rsId, after)));
      if (!roles.some((r) => r.id === roleId)) return 'unchanged';
      await attempt(what, () => ctx.client.deleteBinding(rsId, roleId));
      return 'changed';
    },
  };
}
