import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { equals } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntitlementSchema, type Grant, GrantExpandableSchema, GrantSchema, ResourceSchema, ResourceTypeSchema } from '../../../shared/c1z/messages.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { C1zWriter } from '../../../shared/c1z/writer.ts';
import { entitlement, grant, Purpose, pack, profile, resource, resourceType, userTrait } from '../../../shared/sync/model.ts';

const idArb = fc.stringMatching(/^[A-Za-z0-9_.@-]{1,24}$/);

const tenantArb = fc.record({
  types: fc.uniqueArray(fc.stringMatching(/^[a-z]{1,10}$/), { minLength: 1, maxLength: 4 }),
  resources: fc.array(
    fc.record({
      t: fc.nat(),
      id: idArb,
      name: fc.string({ maxLength: 30 }),
      email: fc.emailAddress(),
      extra: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
    }),
    {
      minLength: 1,
      maxLength: 40,
    },
  ),
  slugs: fc.uniqueArray(fc.stringMatching(/^[a-z_]{1,12}$/), { minLength: 1, maxLength: 3 }),
  grants: fc.array(fc.record({ r: fc.nat(), p: fc.nat(), s: fc.nat(), expandable: fc.boolean() }), { maxLength: 80 }),
});

describe('writer → reader round trip', () => {
  it('random tenants come back row for row', async () => {
    await fc.assert(
      fc.asyncProperty(tenantArb, async (t) => {
        const dir = mkdtempSync(join(tmpdir(), 'rt-'));
        try {
          const rts = t.types.map((id) => resourceType({ id, displayName: id.toUpperCase() }));
          const byKey = new Map<string, ReturnType<typeof resource>>();
          for (const r of t.resources) {
            const type = t.types[r.t % t.types.length]!;
            byKey.set(
              `${type}:${r.id}`,
              resource({
                type,
                id: r.id,
                displayName: r.name,
                profile: profile(r.extra),
                annotations: [userTrait({ emails: [{ address: r.email, primary: true }] })],
              }),
            );
          }
          const resources = [...byKey.values()];
          const ents = new Map<string, ReturnType<typeof entitlement>>();
          for (const r of resources)
            for (const s of t.slugs) {
              const e = entitlement(r, s, { purpose: Purpose.PERMISSION, grantableTo: rts });
              ents.set(e.id, e);
            }
          const grants = new Map<string, Grant>();
          for (const g of t.grants) {
            const res = resources[g.r % resources.length]!;
            const principal = resources[g.p % resources.length]!;
            const slug = t.slugs[g.s % t.slugs.length]!;
            const annotations = g.expandable ? [pack(GrantExpandableSchema, { entitlementIds: [`${res.id!.resourceType}:${res.id!.resource}:${slug}`] })] : [];
            const gr = grant(res, slug, principal.id!, { annotations });
            grants.set(gr.id, gr);
          }
          const w = C1zWriter.create(join(dir, 'db'));
          const syncId = w.startSync();
          w.putResourceTypes(rts);
          // Several batches of any size, as the engine sends them.
          for (let i = 0; i < resources.length; i += 7) w.putResources(resources.slice(i, i + 7));
          w.putEntitlements([...ents.values()]);
          w.putGrants([...grants.values()]);
          w.endSync();
          await w.finish(join(dir, 'out.c1z'));

          const r = await openC1z(join(dir, 'out.c1z'));
          try {
            expect(r.sync.syncId).toBe(syncId);
            expect(r.counts()).toEqual({ resourceTypes: rts.length, resources: resources.length, entitlements: ents.size, grants: grants.size });
            const gotTypes = [...r.resourceTypes()];
            rts.forEach((rt, i) => expect(equals(ResourceTypeSchema, rt, gotTypes[i]!)).toBe(true));
            const gotRes = [...r.resources()];
            resources.forEach((x, i) => expect(equals(ResourceSchema, x, gotRes[i]!)).toBe(true));
            const gotEnts = [...r.entitlements()];
            [...ents.values()].forEach((x, i) => expect(equals(EntitlementSchema, x, gotEnts[i]!)).toBe(true));
            const gotGrants = [...r.grants()];
            [...grants.values()].forEach((x, i) => {
              // GrantExpandable travels in the `expansion` column, not in the blob.
              const stripped = { ...x, annotations: x.annotations.filter((a) => !a.typeUrl.endsWith('GrantExpandable')) };
              expect(equals(GrantSchema, stripped, gotGrants[i]!)).toBe(true);
            });
          } finally {
            r.close();
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
  });
});
