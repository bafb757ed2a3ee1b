// Enterprise roles: the three org roles (always) and the system roles admin.roles.listAssignments
// shows assigned. System-role grants come from the same scan, whose holders wait in the connector
// state (so a resumed slice has them too; one listing per role only if the scan is not whole);
// org-role grants from the org-wide admin.users.list filtered to admins or owners, once per sync
// instead of once per workspace.
import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import { ConnectorError, type Page, type ProvisionOutcome, type ResourceSyncer } from '../../../shared/sync/connector.ts';
import { entitlement, grant, Purpose, resource, resourceId, roleTrait } from '../../../shared/sync/model.ts';
import { CONNECTOR } from '../client.ts';
import type { GridContext } from '../context.ts';
import { ASSIGNED, enterpriseRoleType, ORG_ROLES, type OrgRoleId, SYSTEM_ROLES, userType } from './types.ts';

/** admin.roles.addAssignments/removeAssignments take at most 10 entity ids per call. */
const MAX_ENTITIES = 10;

export function enterpriseRoleResource(roleId: string): Resource {
  const name = SYSTEM_ROLES[roleId] ?? ORG_ROLES[roleId as OrgRoleId] ?? roleId;
  return resource({ type: enterpriseRoleType.id, id: roleId, displayName: name, annotations: [roleTrait()] });
}

const isOrgRole = (id: string): id is OrgRoleId => Object.hasOwn(ORG_ROLES, id);

/** `<cursor>\n<role ids already listed>`: the scan's position and what it has emitted. */
function parseToken(token: string | undefined): { cursor: string; found: Set<string> } {
  if (!token) return { cursor: '', found: new Set() };
  const [cursor = '', found = ''] = token.split('\n');
  return { cursor, found: new Set(found.split(',').filter(Boolean)) };
}

export function enterpriseRoleSyncer(ctx: GridContext): ResourceSyncer {
  let enterpriseId: Promise<string> | undefined;
  const orgEntity = () =>
    (enterpriseId ??= ctx.client.authTestAdmin().then((r) => {
      if (!r.enterprise_id)
        throw new ConnectorError(
          CONNECTOR,
          'failed_precondition',
          'BATON_ENTERPRISE_TOKEN: auth.test returned no enterprise_id (not an Enterprise Grid org token)',
        );
      return r.enterprise_id;
    }));

  /** Every entity this user holds the role on (one listing of the role's assignments). */
  async function entitiesOf(roleId: string, userId: string): Promise<string[]> {
    const out: string[] = [];
    let cursor = '';
    do {
      const page = await ctx.client.roleAssignmentsPage(cursor, roleId);
      for (const a of page.rows) if (a.user_id === userId && a.role_id === roleId) out.push(a.entity_id);
      cursor = page.nextPageToken ?? '';
    } while (cursor);
    return out;
  }

  function systemRoleOnly(roleId: string, verb: string): void {
    if (isOrgRole(roleId))
      throw new ConnectorError(
        CONNECTOR,
        'unsupported',
        `"${ORG_ROLES[roleId]}" cannot be ${verb} through admin.roles (it is an org role, set by an Org Owner in the admin dashboard)`,
      );
    if (!Object.hasOwn(SYSTEM_ROLES, roleId)) throw new ConnectorError(CONNECTOR, 'invalid_argument', `unknown enterprise role ${roleId}`);
  }

  return {
    resourceType: enterpriseRoleType,

    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      const { cursor, found } = parseToken(pageToken);
      const rows: Resource[] = [];
      if (!pageToken) {
        rows.push(...Object.keys(ORG_ROLES).map(enterpriseRoleResource));
        ctx.state.startRoleScan(Object.keys(SYSTEM_ROLES));
      }
      const page = await ctx.client.roleAssignmentsPage(cursor);
      const holders = new Map<string, Set<string>>();
      for (const a of page.rows) {
        if (!Object.hasOwn(SYSTEM_ROLES, a.role_id)) continue;
        const users = holders.get(a.role_id) ?? new Set<string>();
        holders.set(a.role_id, users.add(a.user_id));
        if (found.has(a.role_id)) continue;
        found.add(a.role_id);
        rows.push(enterpriseRoleResource(a.role_id));
      }
      ctx.state.addRoleHolders(holders);
      if (!page.nextPageToken) {
        ctx.state.completeRoleScan();
        return { rows };
      }
      return { rows, nextPageToken: `${page.nextPageToken}\n${[...found].join(',')}` };
    },

    async entitlements(res) {
      const name = res.displayName;
      return {
        rows: [
          entitlement(res, ASSIGNED, {
            purpose: Purpose.ASSIGNMENT,
            displayName: `${name} Enterprise Role`,
            description: `Has the ${name} role in the Slack enterprise`,
            grantableTo: [userType],
          }),
        ],
      };
    },

    async grants(res, pageToken): Promise<Page<Grant>> {
      const roleId = res.id?.resource ?? '';
      const toGrant = (userId: string) => grant(res, ASSIGNED, resourceId(userType.id, userId));
      if (isOrgRole(roleId)) {
        const page = await ctx.client.orgUsersPage(pageToken ?? '', roleId === 'organization_admin' ? { include_admins: true } : { include_owners: true });
        const holds = page.rows.filter((u) =>
          roleId === 'organization_primary_owner' ? u.is_primary_owner : roleId === 'organization_owner' ? u.is_owner : u.is_admin,
        );
        return { rows: holds.map((u) => toGrant(u.id)), nextPageToken: page.nextPageToken };
      }
      const cached = pageToken ? undefined : ctx.state.takeRoleHolders(roleId);
      if (cached) return { rows: cached.map(toGrant) };
      // One user may hold a role on several entities: one grant each, also across pages.
      const [cursor = '', seenList = ''] = (pageToken ?? '').split('\n');
      const seen = new Set(seenList.split(',').filter(Boolean));
      const page = await ctx.client.roleAssignmentsPage(cursor, roleId);
      const rows: Grant[] = [];
      for (const a of page.rows) {
        if (a.role_id !== roleId || seen.has(a.user_id)) continue;
        seen.add(a.user_id);
        rows.push(toGrant(a.user_id));
      }
      return { rows, nextPageToken: page.nextPageToken ? `${page.nextPageToken}\n${[...seen].join(',')}` : undefined };
    },

    async grant(principal: Resource, ent: Entitlement): Promise<ProvisionOutcome> {
      if (principal.id?.resourceType !== userType.id) throw new ConnectorError(CONNECTOR, 'invalid_argument', 'only users can be granted enterprise roles');
      const roleId = ent.resource?.id?.resource ?? '';
      systemRoleOnly(roleId, 'granted');
      const userId = principal.id.resource;
      if ((await entitiesOf(roleId, userId)).length > 0) return 'unchanged';
      await ctx.client.roleAssignment('admin.roles.addAssignments', roleId, userId, [await orgEntity()]);
      return 'changed';
    },

    async revoke(g: Grant): Promise<ProvisionOutcome> {
      if (g.principal?.id?.resourceType !== userType.id)
        throw new ConnectorError(CONNECTOR, 'invalid_argument', 'only users can have enterprise roles revoked');
      const roleId = g.entitlement?.resource?.id?.resource ?? '';
      systemRoleOnly(roleId, 'revoked');
      const userId = g.principal.id.resource;
      const entities = await entitiesOf(roleId, userId);
      if (entities.length === 0) return 'unchanged';
      for (let i = 0; i < entities.length; i += MAX_ENTITIES) {
        await ctx.client.roleAssignment('admin.roles.removeAssignments', roleId, userId, entities.slice(i, i + MAX_ENTITIES));
      }
      return 'changed';
    },
  };
}
