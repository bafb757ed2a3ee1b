// Routes one grant or revoke to the syncer of the entitlement's resource type, as baton-sdk does.
import { create } from '@bufbuild/protobuf';
import { type Entitlement, GrantSchema, type Resource } from '../c1z/messages.ts';
import type { Connector, ProvisionOutcome } from '../sync/connector.ts';
import { grantId, resourceId } from '../sync/model.ts';
import { ProvisionRefused } from './failure.ts';

export type ProvisionAction = 'grant' | 'revoke';

/** Refuses up front for a connector with no grant/revoke at all (Fullstory), before any lookup. */
export function assertProvisions(connectorName: string, connector: Connector): void {
  if (!connector.resourceSyncers().some((s) => s.grant || s.revoke)) {
    throw new ProvisionRefused(`${connectorName} does not support provisioning; provision this entitlement manually or choose another provisioning strategy`);
  }
}

export async function provision(
  connectorName: string,
  connector: Connector,
  action: ProvisionAction,
  entitlement: Entitlement,
  principal: Resource,
): Promise<ProvisionOutcome> {
  assertProvisions(connectorName, connector);
  const syncers = connector.resourceSyncers();
  const type = entitlement.resource?.id?.resourceType ?? '';
  const syncer = syncers.find((s) => s.resourceType.id === type);
  if (action === 'grant') {
    if (!syncer?.grant) throw new ProvisionRefused(`${connectorName} cannot grant ${type || '?'} entitlements`);
    return syncer.grant(principal, entitlement);
  }
  if (!syncer?.revoke) throw new ProvisionRefused(`${connectorName} cannot revoke ${type || '?'} entitlements`);
  // The grant as a sync would have written it, but with the full rows the connector may need.
  const g = create(GrantSchema, {
    id: grantId(entitlement.id, principal.id ?? resourceId('', '')),
    entitlement,
    principal,
  });
  return syncer.revoke(g);
}
