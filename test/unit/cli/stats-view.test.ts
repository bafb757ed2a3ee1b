// `stats` as baton v0.26 prints it: the sync run with its stats in protobuf JSON, counted as the
// SDK counts (every resource type has a resource count, 0 included), and Go's duration text.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterAll, describe, expect, it } from 'vitest';
import { goDuration, syncRunJson } from '../../../bin/cli/views.ts';
import { EntitlementSchema, GrantSchema, ResourceSchema, ResourceTypeSchema } from '../../../shared/c1z/messages.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { C1zWriter } from '../../../shared/c1z/writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'stats-view-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stats view', () => {
  it('rounds durations to seconds the way Go prints them', () => {
    expect([0, 499, 500, 45_400, 125_000, 3_603_000].map(goDuration)).toEqual(['0s', '0s', '1s', '45s', '2m5s', '1h0m3s']);
  });

  it('prints the sync run with int64 strings and a 0 for a resource type without resources', async () => {
    const w = C1zWriter.create(join(dir, 'db'));
    const syncId = w.startSync();
    const team = create(ResourceSchema, { id: { resourceType: 'team', resource: 't1' }, displayName: 'Red' });
    const user = create(ResourceSchema, { id: { resourceType: 'user', resource: 'u1' }, displayName: 'Ada' });
    const ent = create(EntitlementSchema, { id: 'team:t1:member', resource: team, slug: 'member' });
    w.putResourceTypes(['team', 'user', 'bot'].map((id) => create(ResourceTypeSchema, { id })));
    w.putResources([team, user]);
    w.putEntitlements([ent]);
    w.putGrants([create(GrantSchema, { id: 'team:t1:member:user:u1', entitlement: ent, principal: user })]);
    w.endSync(new Date('2026-01-02T03:04:05.250Z'));
    const file = join(dir, 'sync.c1z');
    await w.finish(file);
    const reader = await openC1z(file);
    try {
      const run = syncRunJson(reader);
      expect(run).toMatchObject({ id: syncId, syncType: 'full', endedAt: '2026-01-02T03:04:05.250Z' });
      expect(run.stats).toEqual({
        resourceTypes: '3',
        resources: '2',
        entitlements: '1',
        grants: '1',
        resourcesByResourceType: { bot: '0', team: '1', user: '1' },
        grantsByResourceType: { team: '1' },
        entitlementsByResourceType: { team: '1' },
      });
    } finally {
      reader.close();
    }
  });
});
