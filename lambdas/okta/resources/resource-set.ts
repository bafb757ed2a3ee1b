// Resource sets and their bindings. A resource set's grants name the custom roles bound to it; a
// binding (`<resource set id>:<custom role id>`) is a resource of its own whose grants are its
// members (users and groups). Every list is read to its last page, where baton-okta reads one.
import { type Grant, type Resource, V1IdentifierSchema } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { appTrait, entitlement, grant, Purpose, pack, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import type { ResourceSet } from '../client.ts';
import type { OktaContext } from '../context.ts';
import { isNotFound } from '../errors.ts';
import { bindingProvisioning, resourceSetProvisioning } from '../provisioning.ts';
import { BINDINGS, customRoleType, groupType, MEMBER, resourceSetBindingType, resourceSetType, userType, v1 } from './types.ts';

function setLike(type: string, id: string, rs: ResourceSet): Resource {
  return resource({
    type,
    id,
    displayName: rs.label,
    annotations: [appTrait()],
    profile: profile({ id, label: rs.label, description: rs.description ?? '' }),
  });
}

/** The principal a binding member's `_links.self.href` names (…/users/{id} or …/groups/{id}). */
export function memberPrincipal(href: string | undefined): { type: string; id: string } | undefined {
  const parts = (href ?? '').split('?')[0]!.split('/').filter(Boolean);
  const id = parts.at(-1);
  const kind = parts.at(-2);
  if (!id) return undefined;
  if (kind === 'users') return { type: userType.id, id };
  if (kind === 'groups') return { type: groupType.id, id };
  return undefined;
}

export function resourceSetSyncer(ctx: OktaContext): ResourceSyncer {
  return {
    resourceType: resourceSetType,
    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      const page = await ctx.client.resourceSets(pageToken);
      return { rows: page.items.map((rs) => setLike(resourceSetType.id, rs.id, rs)), nextPageToken: page.after };
    },
    async entitlements(res) {
      const name = res.displayName;
      return {
        rows: [
          entitlement(res, BINDINGS, {
            purpose: Purpose.ASSIGNMENT,
            displayName: `${name} Resource Set Binding`,
            description: `Member of ${name} resource-set in Okta`,
            grantableTo: [resourceSetType],
            annotations: [pack(V1IdentifierSchema, { id: v1.membership(res.id?.resource ?? '') })],
          }),
        ],
      };
    },
    async grants(res, pageToken) {
      const rsId = res.id?.resource ?? '';
      let page: Awaited<ReturnType<typeof ctx.client.bindings>>;
      try {
        page = await ctx.client.bindings(rsId, pageToken);
      } catch (err) {
        if (isNotFound(err)) return { rows: [] };
        throw err;
      }
      const rows: Grant[] = page.items.map((role) =>
        grant(res, BINDINGS, resourceId(customRoleType.id, role.id), { annotations: [pack(V1IdentifierSchema, { id: v1.grant(v1.membership(rsId), rsId) })] }),
      );
      return { rows, nextPageToken: page.after };
    },
    ...resourceSetProvisioning(ctx),
  };
}

export function resourceSetBindingSyncer(ctx: OktaContext): ResourceSyncer {
  return {
    resourceType: resourceSetBindingType,
    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      const page = await ctx.client.resourceSets(pageToken);
      const rows: Resource[] = [];
      for (const rs of page.items) {
        let after: string | undefined;
        do {
          const bindings = await ctx.client.bindings(rs.id, after);
          for (const role of bindings.items) rows.push(setLike(resourceSetBindingType.id, `${rs.id}:${role.id}`, rs));
          after = bindings.after;
        } while (after);
      }
      return { rows, nextPageToken: page.after };
    },
    async entitlements(res) {
      const name = res.displayName;
      return {
        rows: [
          entitlement(res, MEMBER, {
            purpose: Purpose.ASSIGNMENT,
            displayName: `${name} Resource Set Binding Member`,
            description: `Member of ${name} resource-set-binding member in Okta`,
            grantableTo: [resourceSetType],
            annotations: [pack(V1IdentifierSchema, { id: v1.membership(res.id?.resource ?? '') })],
          }),
        ],
      };
    },
    async grants(res, pageToken) {
      const id = res.id?.resource ?? '';
      const [rsId, roleId] = id.split(':');
      let page: Awaited<ReturnType<typeof ctx.client.bindingMembers>>;
      try {
        page = await ctx.client.bindingMembers(rsId ?? '', roleId ?? '', pageToken);
      } catch (err) {
        if (isNotFound(err)) return { rows: [] };
        throw err;
      }
      const rows: Grant[] = [];
      for (const m of page.items) {
        // A member that is neither a user nor a group is skipped (Go repeated the previous principal).
        const principal = memberPrincipal(m._links?.self?.href);
        if (!principal) continue;
        rows.push(
          grant(res, MEMBER, resourceId(principal.type, principal.id), { annotations: [pack(V1IdentifierSchema, { id: v1.grant(v1.membership(id), id) })] }),
        );
      }
      return { rows, nextPageToken: page.after };
    },
    ...bindingProvisioning(ctx),
  };
}
