// The connector state (ConnectorRuntime.state) in the sync database: read back before and after a
// batch is written, carried by a checkpoint into the resumed sync, and gone from the finished c1z.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeV1 } from '../../../shared/c1z/container.ts';
import { C1zWriter } from '../../../shared/c1z/writer.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('connector state in the sync database', () => {
  it('survives a checkpoint into the resumed sync and is dropped when the sync ends', async () => {
    dir = mkdtempSync(join(tmpdir(), 'state-'));
    const writer = C1zWriter.create(join(dir, 'sync.db'));
    const syncId = writer.startSync();
    writer.stateSet('teams:', '{"rows":[]}');
    writer.stateSet('gone', 'x');
    // Still batched: read back from the pending writes.
    expect(writer.stateGet('teams:')).toBe('{"rows":[]}');
    writer.stateDelete('gone');
    expect(writer.stateGet('gone')).toBeUndefined();
    writer.checkpoint('{}');
    expect(writer.stateGet('teams:')).toBe('{"rows":[]}');
    expect(writer.stateGet('gone')).toBeUndefined();
    await writer.finish(join(dir, 'checkpoint.c1z'));

    await decodeV1(join(dir, 'checkpoint.c1z'), join(dir, 'resumed.db'));
    const resumed = C1zWriter.resume(join(dir, 'resumed.db'), syncId);
    expect(resumed.stateGet('teams:')).toBe('{"rows":[]}');
    resumed.stateSet('teams:', 'y'.repeat(50_000));
    resumed.endSync();
    await resumed.finish(join(dir, 'sync.c1z'));

    await decodeV1(join(dir, 'sync.c1z'), join(dir, 'final.db'));
    const db = new Database(join(dir, 'final.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM v1_connector_sessions').get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    // secure_delete: the freed pages hold none of the value.
    expect(readFileSync(join(dir, 'final.db')).includes('y'.repeat(1000))).toBe(false);
  });
});
