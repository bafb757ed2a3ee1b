import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { C1zError } from '../../../shared/c1z/errors.ts';
import { C1zWriter } from '../../../shared/c1z/writer.ts';
import { pageBudget } from '../../../shared/sync/budget.ts';
import { type EngineState, runEngine, SyncStepError } from '../../../shared/sync/engine.ts';
import { type FakeOptions, fakeConnector } from '../../support/fake-connector.ts';
import { tempDir } from '../../support/tmp.ts';

const SHAPE: FakeOptions = { users: 40, groups: 12, orgs: 3, teamsPerOrg: 4, pageSize: 5 };

/** Every row of the sync as (table, external_id, hex data), order-free. */
function rows(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    const out: string[] = [];
    for (const t of ['v1_resource_types', 'v1_resources', 'v1_entitlements', 'v1_grants']) {
      for (const r of db.prepare(`SELECT external_id, hex(data) AS d FROM ${t}`).all() as { external_id: string; d: string }[])
        out.push(`${t}|${r.external_id}|${r.d}`);
    }
    return out.sort();
  } finally {
    db.close();
  }
}

describe('sync engine', () => {
  it('walks types → resources → children → entitlements → grants', async () => {
    const dir = tempDir();
    const { connector, calls } = fakeConnector(SHAPE);
    const w = C1zWriter.create(join(dir, 'db'));
    w.startSync();
    const res = await runEngine({ connector, writer: w });
    expect(res.done).toBe(true);
    // users 40 + groups 12 + orgs 3 + teams 12
    expect(w.counts()).toEqual({ resourceTypes: 4, resources: 67, entitlements: 12 + 3 + 12, grants: 160 + 3 + 12 });
    // children listed once per parent with that parent; users skip entitlements and grants.
    expect(calls.get('team.list')).toBe(1 + 3);
    expect(calls.get('user.list')).toBe(8);
    expect(calls.has('user.grants')).toBe(false);
    expect(res.callStats['group.grants']!.count).toBe(calls.get('group.grants'));
    w.close();
  });

  it('finishes when many resources in a row skip entitlements and grants', async () => {
    const dir = tempDir();
    const w = C1zWriter.create(join(dir, 'db'));
    w.startSync();
    // 900 users (type skips both) are written before the 2 groups: several feed batches queue nothing.
    const res = await runEngine({ connector: fakeConnector({ ...SHAPE, users: 900, groups: 2, orgs: 0, pageSize: 100 }).connector, writer: w });
    expect(res.done).toBe(true);
    expect(w.counts().grants).toBe(600);
    w.close();
  });

  it('stops when its budget of pages is spent, on a page boundary, and resumes to exactly the rows of an uninterrupted run', async () => {
    const dir = tempDir();
    const whole = C1zWriter.create(join(dir, 'whole.db'));
    whole.startSync();
    await runEngine({ connector: fakeConnector(SHAPE).connector, writer: whole });
    whole.close();

    const parts = C1zWriter.create(join(dir, 'parts.db'));
    parts.startSync();
    let state;
    let stops = 0;
    const pages: number[] = [];
    for (;;) {
      const { connector, calls } = fakeConnector({ ...SHAPE, delayMs: 1 });
      const r = await runEngine({ connector, writer: parts, state, budget: pageBudget(7), concurrency: 3 });
      pages.push([...calls.values()].reduce((a, b) => a + b, 0));
      if (r.done) break;
      stops++;
      // The state is small JSON, and it is what the sync run's token holds.
      expect(JSON.stringify(r.state).length).toBeLessThan(4000);
      state = JSON.parse(JSON.stringify(r.state));
    }
    expect(stops).toBeGreaterThan(2);
    // Every slice but the last starts exactly its budget of pages, however long each page takes.
    expect(pages.slice(0, -1).every((n) => n === 7)).toBe(true);
    parts.close();
    // Row ids differ between the runs; the set of rows must not.
    expect(rows(join(dir, 'parts.db'))).toEqual(rows(join(dir, 'whole.db')));
  });

  it('counts the pages it finished: none when the budget is spent before the first page (a slice without progress)', async () => {
    const dir = tempDir();
    const w = C1zWriter.create(join(dir, 'db'));
    w.startSync();
    const stalled = await runEngine({ connector: fakeConnector(SHAPE).connector, writer: w, budget: pageBudget(0) });
    expect(stalled).toMatchObject({ done: false, actionsDone: 0 });
    const { connector, calls } = fakeConnector(SHAPE);
    const whole = await runEngine({ connector, writer: w, state: stalled.state });
    expect(whole.done).toBe(true);
    expect(whole.actionsDone).toBe([...calls.values()].reduce((a, b) => a + b, 0));
    w.close();
  });

  it('checkpoints its state into sync_token', async () => {
    const dir = tempDir();
    const w = C1zWriter.create(join(dir, 'db'));
    w.startSync();
    const r = await runEngine({ connector: fakeConnector(SHAPE).connector, writer: w, budget: pageBudget(10) });
    expect(r.done).toBe(false);
    w.close();
    const db = new Database(join(dir, 'db'), { readonly: true });
    const token = JSON.parse((db.prepare('SELECT sync_token FROM v1_sync_runs').get() as { sync_token: string }).sync_token);
    db.close();
    expect(token.baton_serverless).toEqual(JSON.parse(JSON.stringify(r.state)));
  });

  it('a failing page fails the run with the step named, and the state keeps that page', async () => {
    const dir = tempDir();
    const w = C1zWriter.create(join(dir, 'db'));
    w.startSync();
    const err = await runEngine({ connector: fakeConnector({ ...SHAPE, failOn: { step: 'group.grants', call: 4 } }).connector, writer: w }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SyncStepError);
    expect((err as Error).message).toMatch(/^listing grants of group G\d+.*upstream exploded on group.grants #4/);
    w.close();
  });

  for (const op of ['list', 'entitlements', 'grants'] as const) {
    it(`a ${op} page that hands back the token it was asked with fails the sync at once, naming the call`, async () => {
      const dir = tempDir();
      const { connector, calls } = fakeConnector(SHAPE);
      const stuck = connector
        .resourceSyncers()
        .map((s) =>
          s.resourceType.id !== 'group' ? s : { ...s, [op]: async (_: unknown, token: string | undefined) => ({ rows: [], nextPageToken: token ?? 'page-2' }) },
        );
      const w = C1zWriter.create(join(dir, 'db'));
      w.startSync();
      const err = await runEngine({ connector: { ...connector, resourceSyncers: () => stuck }, writer: w }).catch((e: unknown) => e);
      w.close();
      expect(err).toBeInstanceOf(SyncStepError);
      expect((err as Error).message).toContain(`connector call group.${op} returned the page token it was asked with ("page-2")`);
      // Stopped at the second page, not after looping: the rest of the sync is not even started.
      expect(calls.get('user.list') ?? 0).toBeLessThanOrEqual(8);
    });
  }

  it('a writer error between pages (disk full while the next batch is queued) fails the run with that error', async () => {
    const dir = tempDir();
    const w = C1zWriter.create(join(dir, 'db'));
    w.startSync();
    let reads = 0;
    // The access phase reads written resources back to queue their pages; that read writes the
    // buffered rows first, which is where a full disk shows up.
    w.resourceKeys = () => {
      reads += 1;
      throw new C1zError('no_space', `${join(dir, 'db')}: disk full while writing the sync database`);
    };
    const err = await runEngine({ connector: fakeConnector(SHAPE).connector, writer: w }).catch((e: unknown) => e);
    w.close();
    expect(reads).toBe(1);
    expect(err).toBeInstanceOf(C1zError);
    expect((err as Error).message).toMatch(/disk full while writing the sync database$/);
  });

  it('pipelines pages: the next page of a list is requested before the current one is written', async () => {
    const dir = tempDir();
    const { connector } = fakeConnector({ ...SHAPE, groups: 0, orgs: 0 });
    const events: string[] = [];
    const syncers = connector.resourceSyncers().map((s) =>
      s.resourceType.id !== 'user'
        ? s
        : {
            ...s,
            list: (parent: Parameters<typeof s.list>[0], token: string | undefined) => {
              events.push(`request ${token ?? 'first'}`);
              return s.list(parent, token);
            },
          },
    );
    const w = C1zWriter.create(join(dir, 'db'));
    w.startSync();
    const put = w.putResources.bind(w);
    w.putResources = (rows) => {
      events.push(`write ${rows[0]?.id?.resource}`);
      put(rows);
    };
    const res = await runEngine({ connector: { ...connector, resourceSyncers: () => syncers }, writer: w, concurrency: 1 });
    w.close();
    expect(res.done).toBe(true);
    // Even one page at a time: page n+1 is asked for before page n's rows are written.
    for (let first = 0; first + 5 < SHAPE.users; first += 5) {
      expect(events.indexOf(`request ${first + 5}`), `page after U${first}`).toBeLessThan(events.indexOf(`write U${first}`));
    }
    expect(events.filter((e) => e.startsWith('request'))).toHaveLength(SHAPE.users / 5);
  });

  it('holds at most two fetched-but-unwritten pages of a list, even when its pages come back at once', async () => {
    const dir = tempDir();
    // The fake answers without waiting on anything, like pages kept in connector state.
    const { connector } = fakeConnector({ ...SHAPE, users: 200, groups: 0, orgs: 0 });
    let held = 0;
    let maxHeld = 0;
    const events: string[] = [];
    const syncers = connector.resourceSyncers().map((s) =>
      s.resourceType.id !== 'user'
        ? s
        : {
            ...s,
            list: async (parent: Parameters<typeof s.list>[0], token: string | undefined) => {
              events.push(`request ${token ?? 'first'}`);
              const page = await s.list(parent, token);
              held += 1;
              maxHeld = Math.max(maxHeld, held);
              return page;
            },
          },
    );
    const w = C1zWriter.create(join(dir, 'db'));
    w.startSync();
    const put = w.putResources.bind(w);
    w.putResources = (rows) => {
      if (rows[0]?.id?.resourceType === 'user') {
        held -= 1;
        events.push(`write ${rows[0].id.resource}`);
      }
      put(rows);
    };
    const res = await runEngine({ connector: { ...connector, resourceSyncers: () => syncers }, writer: w, concurrency: 4 });
    expect(w.counts().resources).toBe(200);
    w.close();
    expect(res.done).toBe(true);
    expect(held).toBe(0);
    expect(maxHeld).toBe(2);
    // Still pipelined: each page's successor is requested before the page is written.
    for (let first = 0; first + 5 < 200; first += 5) {
      expect(events.indexOf(`request ${first + 5}`), `page after U${first}`).toBeLessThan(events.indexOf(`write U${first}`));
    }
  });

  describe('a type that asks for its access while listing', () => {
    /** Groups opt in; each user page takes 20 turns of the event loop, so the user listing is the long one. */
    const opted = (o: FakeOptions, events: string[]) => {
      const { connector, calls } = fakeConnector(o);
      const syncers = connector.resourceSyncers().map((s) => {
        if (s.resourceType.id === 'group')
          return {
            ...s,
            accessWhileListing: true,
            grants: (r: Parameters<typeof s.grants>[0], token: string | undefined) => {
              events.push('group.grants');
              return s.grants(r, token);
            },
          };
        if (s.resourceType.id !== 'user') return s;
        return {
          ...s,
          list: async (parent: Parameters<typeof s.list>[0], token: string | undefined) => {
            events.push('user.list');
            for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
            return s.list(parent, token);
          },
        };
      });
      return { connector: { ...connector, resourceSyncers: () => syncers }, calls };
    };

    it('gets its grants while another type still lists, with the rows and calls of a run in baton-sdk order', async () => {
      const dir = tempDir();
      const plain = fakeConnector(SHAPE);
      const before = C1zWriter.create(join(dir, 'before.db'));
      before.startSync();
      await runEngine({ connector: plain.connector, writer: before });
      before.close();

      const events: string[] = [];
      const early = opted(SHAPE, events);
      const w = C1zWriter.create(join(dir, 'early.db'));
      w.startSync();
      const res = await runEngine({ connector: early.connector, writer: w });
      w.close();
      expect(res.done).toBe(true);
      expect(events.indexOf('group.grants')).toBeGreaterThan(-1);
      expect(events.indexOf('group.grants')).toBeLessThan(events.lastIndexOf('user.list'));
      expect(rows(join(dir, 'early.db'))).toEqual(rows(join(dir, 'before.db')));
      expect(Object.fromEntries(early.calls)).toEqual(Object.fromEntries(plain.calls));
    });

    it('in slices: no page asked twice beyond the one in flight at each stop, and the rows of one run', async () => {
      const dir = tempDir();
      const whole = C1zWriter.create(join(dir, 'whole.db'));
      whole.startSync();
      const one = fakeConnector(SHAPE);
      await runEngine({ connector: one.connector, writer: whole });
      whole.close();

      const w = C1zWriter.create(join(dir, 'sliced.db'));
      w.startSync();
      let state: EngineState | undefined;
      const total = new Map<string, number>();
      let stops = 0;
      for (;;) {
        const sliced = opted(SHAPE, []);
        const r = await runEngine({ connector: sliced.connector, writer: w, state, budget: pageBudget(4), concurrency: 2 });
        for (const [k, n] of sliced.calls) total.set(k, (total.get(k) ?? 0) + n);
        if (r.done) break;
        stops += 1;
        state = JSON.parse(JSON.stringify(r.state)) as EngineState;
      }
      w.close();
      expect(stops).toBeGreaterThan(5);
      expect(rows(join(dir, 'sliced.db'))).toEqual(rows(join(dir, 'whole.db')));
      const asked = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      // A stop re-asks at most the pages in flight then (two at this concurrency).
      expect(asked(total)).toBeLessThanOrEqual(asked(one.calls) + 2 * stops);
      expect(total.get('group.entitlements')).toBe(one.calls.get('group.entitlements'));
    });
  });
});
