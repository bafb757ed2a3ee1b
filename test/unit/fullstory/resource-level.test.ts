// SCIM rows carry profile and status on the resource too, as the Go SCIM connector's SDK copies
// them there from the user trait (resource.WithUserTrait → syncUserTraitToResource).
import { describe, expect, it } from 'vitest';
import { scimUserResource } from '../../../lambdas/fullstory/resources/user.ts';
import { Status_ResourceStatus, UserTrait_Status_Status, UserTraitSchema } from '../../../shared/c1z/messages.ts';
import { findAnnotation } from '../../../shared/sync/model.ts';

describe('Fullstory SCIM user rows', () => {
  it.each([
    [true, Status_ResourceStatus.ENABLED, UserTrait_Status_Status.ENABLED],
    [false, Status_ResourceStatus.DISABLED, UserTrait_Status_Status.DISABLED],
    [undefined, Status_ResourceStatus.DISABLED, UserTrait_Status_Status.DISABLED],
  ])("active=%s: resource status and profile equal the trait's", (active, resourceStatus, traitStatus) => {
    const r = scimUserResource({ id: 'u1', userName: 'ada@x.test', displayName: 'Ada', name: { givenName: 'Ada', familyName: 'L' }, active } as never);
    const trait = findAnnotation(r.annotations, UserTraitSchema)!;
    expect(trait.status?.status).toBe(traitStatus);
    expect(r.status?.status).toBe(resourceStatus);
    expect(r.profile).toEqual(trait.profile);
    expect(r.profile).toMatchObject({ scim_id: 'u1', user_name: 'ada@x.test', display_name: 'Ada', first_name: 'Ada', last_name: 'L' });
  });
});
