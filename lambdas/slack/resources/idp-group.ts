// IDP groups: SCIM Groups, Business+ only, top level, provisionable. Member lists that come
// with the list pages are kept for the grants, so most groups need no Groups/{id} call.
import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import { GrantImmutableSchema } from '../../../shared/c1z/messages.ts';
import { CONNECTOR } from '../../../shared/slack/errors.ts';
import { ConnectorError, type ResourceSyncer } from '../../../shared/sync/connector.ts';
import { grant, groupTrait, memberEntitlement, pack, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import { SCIM_GROUPS_PAGE } from '../client.ts';
import type { SlackContext } from '../context.ts';
import { idpGroupType, MEMBER, userType } from './types.ts';

export function idpGroupSyncer(ctx: SlackContext): ResourceSyncer {
  function provisionable(principal: { resourceType: string } | undefined, verb: 'granted' | 'revoked'): void {
    if (!ctx.client.hasScim) throw new ConnectorError(CONNECTOR, 'unavailable', 'business+ client not available: missing Business+ token');
    if (ctx.gov) throw new ConnectorError(CONNECTOR, 'unsupported', 'IDP group provisioning not supported in Gov environment');
    if (principal?.resourceType !== userType.id) throw new ConnectorError(CONNECTOR, 'invalid_argument', `only users can be ${verb} IDP group membership`);
  }

  return {
    resourceType: idpGroupType,
    // Members come with the SCIM Groups pages (or one Groups/{id} call): nothing from the user listing.
    accessWhileListing: true,

    async list(parent, pageToken) {
      if (parent || !ctx.client.hasScim) return { rows: [] };
      const start = Number(pageToken ?? '1') || 1;
      const page = await ctx.client.scimGroupsPage(start);
      const rows: Resource[] = page.Resources.map((g) => {
        if (g.members)
          ctx.state.putIdpMembers(
            g.id,
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
      const next = start + SCIM_GROUPS_PAGE;
      return { rows, nextPageToken: page.Resources.length > 0 && next <= page.totalResults ? String(next) : undefined };
    },

    async entitlements(res) {
      const name = res.displayName;
      return {
        rows: [
          memberEntitlement(res, {
            displayName: `${name} IDP group member`,
            description: `Member of ${name} IDP group`,
            grantableTo: [userType],
          }),
        ],
      };
    },

    async grants(res) {
      const groupId = res.id?.resource ?? '';
      const members = ctx.state.takeIdpMembers(groupId) ?? (await ctx.client.scimGroup(groupId)).members?.map((m) => m.value) ?? [];
      const annotations = ctx.gov ? [pack(GrantImmutableSchema, {})] : [];
      const rows: Grant[] = members.map((id) => grant(res, MEMBER, resourceId(userType.id, id), { annotations }));
      return { rows };
    },

    async grant(principal: Resource, ent: Entitlement) {
      provisionable(principal.id, 'granted');
      const groupId = ent.resource?.id?.resource ?? '';
      const userId = principal.id?.resource ?? '';
      const current = (await ctx.client.scimGroup(groupId)).members?.map((m) => m.value) ?? [];
      if (current.includes(userId)) return 'unchanged';
      // Slack's SCIM "add" replaces the list on some tenants, so send every member plus the new one.
      await ctx.client.scimPatchGroupMembers(groupId, 'add', [...current, userId]);
      return 'changed';
    },

    async revoke(g: Grant) {
      provisionable(g.principal?.id, 'revoked');
      const groupId = g.entitlement?.resource?.id?.resource ?? '';
      const userId = g.principal?.id?.resource ?? '';
      const current = (await ctx.client.scimGroup(groupId)).members?.map((m) => m.value) ?? [];
      // Already revoked: nothing to send (the Go connector reports GrantAlreadyRevoked).
      if (!current.includes(userId)) return 'unchanged';
      await ctx.client.scimPatchGroupMembers(groupId, 'remove', [userId]);
      return 'changed';
    },
  };
}
