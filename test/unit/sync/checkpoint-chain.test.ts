// Checkpoints as a chain of parts: each slice saves what it wrote, a warm environment resumes from
// the database it kept, a cold one from the store alone, and both end with the rows of one slice.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { pageBudget } from '../../../shared/sync/budget.ts';
import { type CheckpointStore, folderCheckpointStore } from '../../../shared/sync/checkpoint-store.ts';
import { CheckpointError, freshPlan, runSlice, runSync } from '../../../shared/sync/run-sync.ts';
import { type FakeOptions, fakeDefinition } from '../../support/fake-connector.ts';
import { tempDir } from '../../support/tmp.ts';

const SHAPE: FakeOptions = { users: 300, groups: 40, orgs: 3, teamsPerOrg: 4, pageSize: 20 };
const definition = fakeDefinition(SHAPE);
const config = { BATON_TOKEN: 'fake-token-value' };

async function rowsOf(file: string): Promise<string[]> {
  const r = await openC1z(file);
  try {
    return [
      ...[...r.resources()].map((x) => `${x.id?.resourceType}:${x.id?.resource}`),
      ...[...r.entitlements()].map((x) => x.id),
      ...[...r.grants()].map((x) => x.id),
    ].sort();
  } finally {
    r.close();
  }
}

/** A store that counts the parts it hands out. */
function counting(store: CheckpointStore): CheckpointStore & { loads: number } {
  const c = { ...store, loads: 0 };
  c.load = (syncId, part, dest) => {
    c.loads += 1;
    return store.load(syncId, part, dest);
  };
  return c;
}

/** Slices of 15 pages until done; `workRoot(i)` is where slice i runs. */
async function sliced(store: CheckpointStore, out: string, workRoot: (slice: number) => string) {
  const plan = freshPlan();
  const partBytes: number[] = [];
  for (;;) {
    const r = await runSlice({ definition, config, workRoot: workRoot(plan.slice), store, budget: pageBudget(15), out }, plan);
    if (r.done) return { slices: plan.slice + 1, partBytes, bytes: r.summary.bytes };
    partBytes.push(r.checkpointBytes);
    plan.slice += 1;
    plan.resume = true;
  }
}

describe('checkpoint chain', () => {
  const whole = join(tempDir(), 'whole.c1z');
  const wholeRows = runSync({ definition, config, workRoot: tempDir(), out: whole }).then(() => rowsOf(whole));

  it('warm: each slice saves only its own part and the next resumes from the kept database, downloading nothing', async () => {
    const dir = tempDir();
    const store = counting(folderCheckpointStore(join(dir, 'checkpoints')));
    const out = join(dir, 'sliced.c1z');
    const root = join(dir, 'work');
    const r = await sliced(store, out, () => root);
    expect(r.slices).toBeGreaterThanOrEqual(5);
    expect(store.loads).toBe(0);
    expect(await rowsOf(out)).toEqual(await wholeRows);
    // Parts follow the slice, not the sync: together about one packed copy, not one per slice.
    expect(r.partBytes.reduce((a, b) => a + b, 0)).toBeLessThan(r.bytes * 2);
    expect(readdirSync(root)).toEqual([]);
    expect(await store.list()).toEqual([]);
  });

  it('cold: every slice in a fresh work root resumes from the store alone, to the same rows', async () => {
    const dir = tempDir();
    const store = counting(folderCheckpointStore(join(dir, 'checkpoints')));
    const out = join(dir, 'sliced.c1z');
    const r = await sliced(store, out, (i) => join(dir, `work-${i}`));
    // Slice i downloads the i parts before it.
    expect(store.loads).toBe(((r.slices - 1) * r.slices) / 2);
    expect(await rowsOf(out)).toEqual(await wholeRows);
  });

  it('a stored part that does not decode to what was saved is refused as a checkpoint', async () => {
    const dir = tempDir();
    const store = folderCheckpointStore(join(dir, 'checkpoints'));
    const plan = freshPlan();
    for (let i = 0; i < 2; i++) {
      const r = await runSlice({ definition, config, workRoot: join(dir, 'work'), store, budget: pageBudget(15) }, plan);
      expect(r.done).toBe(false);
      plan.slice += 1;
      plan.resume = true;
    }
    const part = join(dir, 'checkpoints', plan.syncId, '1.c1z');
    const bytes = readFileSync(part);
    bytes[bytes.length - 3]! ^= 0xff;
    writeFileSync(part, bytes);
    expect(statSync(part).size).toBe(bytes.length);
    const err = await runSlice({ definition, config, workRoot: join(dir, 'cold'), store, budget: pageBudget(15) }, plan).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/cannot be resumed: .*1\.c1z/);
  });
});
