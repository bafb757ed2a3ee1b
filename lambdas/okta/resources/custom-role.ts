// Custom admin roles (GET /iam/roles). Their user grants come from the admin scan (role.ts) and
// their group grants from each group's roles, as in baton-okta.
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import type { OktaContext } from '../context.ts';
import { roleEntitlement, roleResource } from './role.ts';
import { customRoleType } from './types.ts';

export function customRoleSyncer(ctx: OktaContext): ResourceSyncer {
  return {
    resourceType: customRoleType,
    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      const page = await ctx.client.customRoles(pageToken);
      return { rows: page.items.map((r) => roleResource({ id: r.id, label: r.label, type: '' }, 'custom-role')), nextPageToken: page.after };
    },
    async entitlements(res) {
      return { rows: [roleEntitlement(res)] };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
