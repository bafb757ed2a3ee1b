// Flattens a synced `user` resource into the fields the mapping rules pin down, for exact comparisons.
import type { Resource } from '../../../shared/c1z/messages.ts';
import { UserTrait_AccountType, UserTrait_Status_Status, UserTraitSchema } from '../../../shared/c1z/messages.ts';
import { findAnnotation } from '../../../shared/sync/model.ts';
import type { Row } from './fixtures.ts';

export function toRow(r: Resource): Row {
  const trait = findAnnotation(r.annotations, UserTraitSchema);
  if (!trait) throw new Error(`resource ${r.id?.resource} has no user trait`);
  return {
    type: r.id?.resourceType ?? '',
    id: r.id?.resource ?? '',
    displayName: r.displayName,
    emails: trait.emails.map((e) => ({ address: e.address, primary: e.isPrimary })),
    login: trait.login,
    status:
      trait.status?.status === UserTrait_Status_Status.DISABLED
        ? 'DISABLED'
        : trait.status?.status === UserTrait_Status_Status.ENABLED
          ? 'ENABLED'
          : (String(trait.status?.status) as 'ENABLED'),
    accountType: trait.accountType === UserTrait_AccountType.HUMAN ? 'HUMAN' : (String(trait.accountType) as 'HUMAN'),
    profile: (trait.profile ?? {}) as Record<string, string>,
  };
}
