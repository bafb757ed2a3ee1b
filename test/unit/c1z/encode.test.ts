import { create, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeGrant } from '../../../shared/c1z/encode.ts';
import { GrantImmutableSchema, GrantSchema, ResourceSchema } from '../../../shared/c1z/messages.ts';
import { entitlement, grant, Purpose, pack, resource, resourceId, userTrait } from '../../../shared/sync/model.ts';

const text = fc.string({ minLength: 0, maxLength: 300, unit: 'binary' });

describe('fast grant encoding', () => {
  it('gives exactly the bytes of toBinary for any grant shape', () => {
    fc.assert(
      fc.property(text, text, text, text, fc.boolean(), fc.boolean(), fc.boolean(), (type, id, slug, pid, fullEnt, richPrincipal, annotated) => {
        const res = resource({ type: type || 't', id: id || 'i', displayName: `${id} name`, annotations: [userTrait({ emails: [{ address: 'a@b.c' }] })] });
        const principal = richPrincipal ? resource({ type: 'user', id: pid || 'p', displayName: 'Principal' }) : resourceId('user', pid);
        let g = grant(res, slug, principal, { annotations: annotated ? [pack(GrantImmutableSchema, { sourceId: 'x' })] : [] });
        if (fullEnt) g = { ...g, entitlement: entitlement(res, slug, { purpose: Purpose.ASSIGNMENT, description: 'd' }) };
        expect(Buffer.from(encodeGrant(g)).equals(Buffer.from(toBinary(GrantSchema, g)))).toBe(true);
        // The cached entitlement bytes must not leak between entitlements of the same resource.
        const other = grant(res, `${slug}x`, principal);
        expect(Buffer.from(encodeGrant(other)).equals(Buffer.from(toBinary(GrantSchema, other)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('handles grants with sources and an empty principal id', () => {
    const res = resource({ type: 'group', id: 'g', displayName: 'G' });
    const g = {
      ...grant(res, 'member', create(ResourceSchema, {})),
      sources: {
        $typeName: 'c1.connector.v2.GrantSources' as const,
        sources: { 'a:b:c': { $typeName: 'c1.connector.v2.GrantSources.GrantSource' as const, isDirect: true } },
      },
    };
    expect(Buffer.from(encodeGrant(g)).equals(Buffer.from(toBinary(GrantSchema, g)))).toBe(true);
  });
});
