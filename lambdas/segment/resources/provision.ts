// The grant/revoke pair every provisionable Segment syncer shares: role ids of permission
// entitlements synced without the role annotation are found through the sync's role catalog.
import type { Entitlement, Grant, Resource } from '../../../shared/c1z/messages.ts';
import type { ProvisionOutcome } from '../../../shared/sync/connector.ts';
import type { SegmentContext } from '../context.ts';
import { grantEntitlement, revokeGrant } from '../provisioning.ts';

export interface Provisioner {
  grant(principal: Resource, entitlement: Entitlement): Promise<ProvisionOutcome>;
  revoke(grant: Grant): Promise<ProvisionOutcome>;
}

export function provisioner(ctx: SegmentContext): Provisioner {
  const roleBySlug = async (slug: string) => (await ctx.roles.all()).find((r) => r.slug === slug)?.id;
  return {
    grant: (principal, entitlement) => grantEntitlement(ctx.client, principal, entitlement, roleBySlug),
    revoke: (g) => revokeGrant(ctx.client, g, roleBySlug),
  };
}
