import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeV1 } from '../../../shared/c1z/container.ts';
import { verifyPacked } from '../../../shared/c1z/verify.ts';
import { C1zWriter } from '../../../shared/c1z/writer.ts';
import { resource, resourceType } from '../../../shared/sync/model.ts';
import { tempDir } from '../../support/tmp.ts';

async function packed(finish = true) {
  const dir = tempDir();
  const w = C1zWriter.create(join(dir, 'sync.db'));
  const syncId = w.startSync();
  w.putResourceTypes([resourceType({ id: 'user', displayName: 'User' })]);
  w.putResources([resource({ type: 'user', id: 'U1', displayName: 'One' })]);
  const counts = finish ? w.endSync() : w.counts();
  w.close();
  const file = join(dir, 'sync.c1z');
  const enc = await encodeV1(join(dir, 'sync.db'), file);
  return { file, db: join(dir, 'sync.db'), enc, syncId, counts };
}

describe('verification before upload', () => {
  it('accepts the file it packed', async () => {
    const p = await packed();
    await expect(verifyPacked(p.file, p.db, p.enc, p.syncId, p.counts)).resolves.toBeUndefined();
  });
  it('refuses counts that differ from what was written', async () => {
    const p = await packed();
    await expect(verifyPacked(p.file, p.db, p.enc, p.syncId, { ...p.counts, resources: 2 })).rejects.toThrow(/expected/);
  });
  it('refuses an unfinished sync', async () => {
    const p = await packed(false);
    await expect(verifyPacked(p.file, p.db, p.enc, p.syncId, p.counts)).rejects.toThrow(/latest finished full sync/);
  });
  it('refuses a c1z damaged after packing', async () => {
    const p = await packed();
    const bytes = readFileSync(p.file);
    bytes[bytes.length - 6] = bytes[bytes.length - 6]! ^ 0xff;
    writeFileSync(p.file, bytes);
    await expect(verifyPacked(p.file, p.db, p.enc, p.syncId, p.counts)).rejects.toThrow();
  });
  it('refuses a c1z whose content is not the database byte for byte', async () => {
    const p = await packed();
    // A byte SQLite does not read (the header's reserved area), changed in the database after packing.
    const db = readFileSync(p.db);
    db[72] = 1;
    writeFileSync(p.db, db);
    await expect(verifyPacked(p.file, p.db, p.enc, p.syncId, p.counts)).rejects.toThrow(/content differs from .*sync\.db within bytes 0–/);
  });
});
