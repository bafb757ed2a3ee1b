// Our c1z read by independent tools: the zstd CLI and sqlite3 open what the writer packs. These run
// other programs, so they live in the integration lane.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFrameHeader } from '../../../shared/c1z/container.ts';
import { GrantExpandableSchema } from '../../../shared/c1z/messages.ts';
import { SCHEMA_DDL } from '../../../shared/c1z/schema.ts';
import { C1zWriter } from '../../../shared/c1z/writer.ts';
import { entitlement, grant, Purpose, pack, resource, resourceId, resourceType } from '../../../shared/sync/model.ts';
import { tempDir } from '../../support/tmp.ts';

describe('c1z through the zstd and sqlite3 CLIs', () => {
  it("the file decompresses with the zstd CLI and opens in sqlite3 with baton-sdk's tables and indexes", async () => {
    const dir = tempDir();
    const w = C1zWriter.create(join(dir, 'db'));
    w.startSync();
    const u = resource({ type: 'user', id: 'U1', displayName: 'One' });
    w.putResourceTypes([resourceType({ id: 'user', displayName: 'User' })]);
    w.putResources([u]);
    const e = entitlement(u, 'admin', { purpose: Purpose.PERMISSION });
    w.putEntitlements([e]);
    w.putGrants([grant(u, 'admin', resourceId('user', 'U1'), { annotations: [pack(GrantExpandableSchema, { entitlementIds: ['x:y:z'] })] })]);
    w.endSync();
    await w.finish(join(dir, 'sync.c1z'));

    const file = readFileSync(join(dir, 'sync.c1z'));
    expect(file.subarray(0, 5).toString('latin1')).toBe('C1ZF\0');
    const header = parseFrameHeader(file.subarray(5))!;
    expect(header.checksum).toBe(true);
    expect(header.contentSize).toBeGreaterThan(0);
    execFileSync('sh', ['-c', `tail -c +6 '${dir}/sync.c1z' | zstd -d -q -o '${dir}/plain.db'`]);
    const plain = readFileSync(join(dir, 'plain.db'));
    expect(plain.length).toBe(header.contentSize);
    expect([plain[18], plain[19]]).toEqual([1, 1]); // rollback journal, no WAL
    const sql = (q: string) =>
      execFileSync('sqlite3', [join(dir, 'plain.db'), q], { encoding: 'utf8' })
        .trim()
        .split('\n');
    const expectedNames = SCHEMA_DDL.map((s) => /(?:TABLE|INDEX) IF NOT EXISTS (\w+)/.exec(s)![1]).sort();
    expect(sql("SELECT name FROM sqlite_master WHERE type IN ('table','index') AND name NOT LIKE 'sqlite_%' ORDER BY name")).toEqual(expectedNames);
    expect(sql('SELECT sync_type, supports_diff, grants_backfilled, sync_token, ended_at IS NOT NULL, parent_sync_id FROM v1_sync_runs')).toEqual([
      'full|1|1||1|',
    ]);
    expect(sql('SELECT needs_expansion, length(expansion) > 0 FROM v1_grants')).toEqual(['1|1']);
    expect(sql('SELECT started_at FROM v1_sync_runs')[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})?$/);
    expect(sql('SELECT external_id, resource_type_id, parent_resource_type_id IS NULL FROM v1_resources')).toEqual(['user:U1|user|1']);
    expect(sql('PRAGMA integrity_check')).toEqual(['ok']);
  });
});
