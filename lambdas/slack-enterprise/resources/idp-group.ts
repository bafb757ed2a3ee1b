// IDP groups: SCIM Groups when the org uses SSO, top level. Member lists that come with the list
// pages are kept for the grants. Provisioning PATCHes add or remove only the one member (never
// replacing the list); GovSlack's grants are read-only, as in baton-slack.
import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import { GrantImmutableSchema } from '../../../shared/c1z/messages.ts';
import { nextStartIndex, SCIM_GROUPS_PAGE } from '../../../shared/slack/scim.ts';
import { ConnectorError, type ProvisionOutcome, type ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant, groupTrait, memberEntitlement, pack, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import { CONNECTOR } from '../client.ts';
import type { GridContext } from '../context.ts';
import { idpGroupType, MEMBER, userType } from './types.ts';

const key = (groupId: string) => `idp:${groupId}`;

export function idpGroupSyncer(ctx: GridContext): ResourceSyncer {
  function provisionable(principalType: string | undefined, verb: string): void {
    if (!ctx.config.sso) throw new ConnectorError(CONNECTOR, 'unavailable', 'IDP groups need BATON_SSO_ENABLED=true (SCIM)');
    if (ctx.config.gov) throw new ConnectorError(CONNECTOR, 'unsupported', 'IDP group provisioning is not supported on GovSlack');
    if (principalType !== userType.id) throw new ConnectorError(CONNECTOR, 'invalid_argument', `only users can be ${verb} IDP group membership`);
  }

  const membersOf = async (groupId: string) => (await ctx.client.scim.group(groupId)).members?.map((m) => m.value) ?? [];

  return {
    resourceType: idpGroupType,
    // Members come with the SCIM Groups pages (or one Groups/{id} call): nothing from the user listing.
    accessWhileListing: true,

    async list(parent, pageToken) {
      if (parent || !ctx.config.sso) return { rows: [] };
      const start = Number(pageToken ?? '1') || 1;
      const page = await ctx.client.scim.groupsPage(start, SCIM_GROUPS_PAGE);
      const rows: Resource[] = page.Resources.map((g) => {
        if (g.members)
          ctx.state.putMembers(
            key(g.id),
            g.members.map((m) => m.value),
          );
        return resource({
          type: idpGroupType.id,
          id: g.id,
          displayName: g.displayName,
          annotations: [groupTrait()],
          profile: profile({ group_id: g.id, group_name: g.displayName }),
        });
      });
      const next = nextStartIndex(start, SCIM_GROUPS_PAGE, page);
      return { rows, nextPageToken: next === undefined ? undefined : String(next) };
    },

    async entitlements(res) {
      const name = res.displayName;
      return {
        rows: [memberEntitlement(res, { displayName: `${name} IDP group member`, description: `Member of ${name} IDP group`, grantableTo: [userType] })],
      };
    },

    async grants(res) {
      const groupId = res.id?.resource ?? '';
      const members = ctx.state.members(key(groupId)) ?? (await membersOf(groupId));
      ctx.state.dropMembers(key(groupId));
      const annotations = ctx.config.gov ? [pack(GrantImmutableSchema, {})] : [];
      return { rows: members.map((id) => grant(res, MEMBER, resourceId(userType.id, id), { annotations })) };
    },

    async grant(principal: Resource, ent: Entitlement): Promise<ProvisionOutcome> {
      provisionable(principal.id?.resourceType, 'granted');
      const groupId = ent.resource?.id?.resource ?? '';
      const userId = principal.id?.resource ?? '';
      if ((await membersOf(groupId)).includes(userId)) return 'unchanged';
      await ctx.client.scim.patchGroupMembers(groupId, 'add', [userId]);
      return 'changed';
    },

    async revoke(g: Grant): Promise<ProvisionOutcome> {
      provisionable(g.principal?.id?.resourceType, 'revoked');
      const groupId = g.entitlement?.resource?.id?.resource ?? '';
      const userId = g.principal?.id?.resource ?? '';
      if (!(await membersOf(groupId)).includes(userId)) return 'unchanged';
      await ctx.client.scim.patchGroupMembers(groupId, 'remove', [userId]);
      return 'changed';
    },
  };
}
