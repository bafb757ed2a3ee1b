// One provisioning action end to end, whoever asked (webhook, manual invoke, CLI): resolve the rows
// in the latest sync, call the connector, classify the outcome, write the audit line.
import type { Entitlement, Resource } from '../c1z/messages.ts';
import { isRetryable, oneLine } from '../errors.ts';
import { redact } from '../http/redact.ts';
import type { Connector } from '../sync/connector.ts';
import type { AuditOutcome, ProvisionAudit } from './audit.ts';
import type { C1zSource } from './c1z-source.ts';
import { ProvisionRefused } from './failure.ts';
import type { AppEntitlement, AppUser } from './payload.ts';
import { assertProvisions, type ProvisionAction, provision } from './provision.ts';
import { findEntitlement, findPrincipal, matchAppUser, resolveAppEntitlement, type SyncedRows } from './resolve.ts';

/** A configured connector instance, ready to provision. */
export interface InstanceHandle {
  id: string;
  /** Registry name: `segment`, `slack`, … */
  connectorName: string;
  connector: Connector;
  c1z: C1zSource;
  /** Secret values to scrub from every comment and log line. */
  secrets: readonly string[];
}

export type ProvisionTarget = { kind: 'c1'; appEntitlement: AppEntitlement; appUser: AppUser } | { kind: 'ids'; entitlementId: string; principalId: string };

export interface ProvisionResult {
  status: AuditOutcome;
  /** For ConductorOne's task audit trail: what was done, or why not (redacted, one line). */
  comment: string;
}

/** Comments stay far below the 250 KB answer limit; one line is all the audit trail shows well. */
const MAX_COMMENT = 2000;

function resolveTarget(rows: SyncedRows, target: ProvisionTarget): { entitlement: Entitlement; principal: Resource } {
  if (target.kind === 'c1') return { entitlement: resolveAppEntitlement(rows, target.appEntitlement), principal: matchAppUser(rows, target.appUser) };
  const entitlement = findEntitlement(rows, target.entitlementId);
  if (!entitlement) throw new ProvisionRefused(`entitlement ${JSON.stringify(target.entitlementId)} is not in the latest sync`);
  const principal = findPrincipal(rows, target.principalId);
  if (!principal) throw new ProvisionRefused(`principal ${JSON.stringify(target.principalId)} is not in the latest sync`);
  return { entitlement, principal };
}

function describeTarget(target: ProvisionTarget): { entitlement: string; principal: string } {
  if (target.kind === 'ids') return { entitlement: target.entitlementId, principal: target.principalId };
  return { entitlement: target.appEntitlement.id ?? '?', principal: target.appUser.id ?? '?' };
}

export async function executeProvision(
  instance: InstanceHandle,
  action: ProvisionAction,
  target: ProvisionTarget,
  audit: ProvisionAudit,
  taskId?: string,
): Promise<ProvisionResult> {
  const started = Date.now();
  let ids = describeTarget(target);
  let result: ProvisionResult;
  let effect: string | undefined;
  let error: string | undefined;
  try {
    assertProvisions(instance.connectorName, instance.connector);
    const rows = await instance.c1z.rows();
    const { entitlement, principal } = resolveTarget(rows, target);
    const principalId = `${principal.id?.resourceType}:${principal.id?.resource}`;
    ids = { entitlement: entitlement.id, principal: principalId };
    effect = await provision(instance.connectorName, instance.connector, action, entitlement, principal);
    const what = `${entitlement.displayName || entitlement.id} ${action === 'grant' ? 'to' : 'from'} ${principal.displayName || principalId}`;
    const verb = action === 'grant' ? 'granted' : 'revoked';
    const comment =
      effect === 'unchanged' ? `nothing to do: ${what} was already ${verb} (${instance.connectorName})` : `${verb} ${what} (${instance.connectorName})`;
    result = { status: 'complete', comment };
  } catch (err) {
    error = redact(oneLine(err, MAX_COMMENT), instance.secrets);
    result = { status: isRetryable(err) ? 'transient' : 'errored', comment: error };
  }
  audit.record({
    taskId,
    instance: instance.id,
    connector: instance.connectorName,
    action,
    ...ids,
    outcome: result.status,
    effect,
    durationMs: Date.now() - started,
    error,
  });
  return result;
}
