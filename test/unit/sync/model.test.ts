import { create, equals, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { GrantSchema, ResourceIdSchema, ResourceSchema } from '../../../shared/c1z/messages.ts';
import { entitlement, grant, Purpose, resource, resourceId } from '../../../shared/sync/model.ts';

describe('row builders', () => {
  const group = resource({ type: 'group', id: 'G1', displayName: 'Admins' });

  it('build literals identical to what protobuf-es create() makes', () => {
    const id = resourceId('user', 'U1');
    expect(id).toEqual(create(ResourceIdSchema, { resourceType: 'user', resource: 'U1' }));
    const g = grant(group, 'member', id);
    const expected = create(GrantSchema, {
      entitlement: { id: 'group:G1:member', resource: group },
      principal: create(ResourceSchema, { id }),
      id: 'group:G1:member:user:U1',
    });
    expect(g).toEqual(expected);
    expect(equals(GrantSchema, g, expected)).toBe(true);
    expect(Buffer.from(toBinary(GrantSchema, g)).equals(Buffer.from(toBinary(GrantSchema, expected)))).toBe(true);
  });

  it('follow the SDK id layouts', () => {
    expect(entitlement(group, 'member', { purpose: Purpose.ASSIGNMENT })).toMatchObject({ id: 'group:G1:member', slug: 'member', displayName: 'member' });
    const full = resource({ type: 'user', id: 'U2', displayName: 'Two' });
    const g = grant(group, 'admin', full);
    expect(g.id).toBe('group:G1:admin:user:U2');
    expect(g.principal).toBe(full);
    expect(g.entitlement).toBe(grant(group, 'admin', resourceId('user', 'U3')).entitlement);
  });
});
