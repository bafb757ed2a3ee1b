// Our c1z files read by baton-sdk's own Go code (pkg/dotc1z, the path ConductorOne's
// ingestion uses) must show the same syncs, counts and ids as our reader, and files the SDK
// writes must read the same in ours. The Go side is test/interop/main.go, built by build.sh.
import { type ExecFileException, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { connectorNames } from '../../lambdas/index.ts';
import { connector as slackConnector } from '../../lambdas/slack/connector.ts';
import { generateTenant, startSlackSim } from '../../lambdas/slack/sim/index.ts';
import { decodeV1, encodeV1 } from '../../shared/c1z/container.ts';
import { C1zError } from '../../shared/c1z/errors.ts';
import { EntitlementSchema, GrantSchema, ResourceSchema, ResourceTypeSchema } from '../../shared/c1z/messages.ts';
import { type C1zReader, openC1z } from '../../shared/c1z/reader.ts';
import { C1zWriter } from '../../shared/c1z/writer.ts';
import { syncToFile } from '../../shared/sync/run-sync.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const BUILD = join(ROOT, 'test/interop/build.sh');
const FIXTURES = join(ROOT, 'test/fixtures/c1z');
const IN_CI = !!process.env['CI'] && process.env['CI'] !== 'false';
/** A first build downloads baton-sdk's module graph and compiles modernc SQLite: ~8 min on 2 cores. */
const BUILD_TIMEOUT_MS = 30 * 60_000;

const KINDS = ['resourceTypes', 'resources', 'entitlements', 'grants'] as const;
type Kind = (typeof KINDS)[number];

interface IdSet {
  count: number;
  sha256: string;
  ids?: string[];
}
interface GoSyncRun {
  id: string;
  type: string;
  startedAt: string;
  endedAt: string | null;
  finished: boolean;
}
interface GoReport extends Record<Kind, IdSet> {
  sdkVersion: string;
  format: string;
  sync: string;
  chosenBy: string;
  syncRuns: GoSyncRun[];
  /** The SDK's recount from the tables. */
  stats: Record<string, number>;
  /** The stats the SDK reads from the file (ours, for our files). */
  storedStats: Record<string, number>;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], timeout = 10 * 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { maxBuffer: 512 * 2 ** 20, timeout, encoding: 'utf8' }, (err: ExecFileException | null, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr: err && code === -1 ? `${stderr}\n${err.message}` : stderr });
    });
  });
}

let tool: string | undefined;
/** Why the Go side is absent (only ever set outside CI). */
let noGo: string | undefined;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'interop-'));
  const built = await run('bash', [BUILD], BUILD_TIMEOUT_MS);
  if (built.code === 0) {
    tool = built.stdout.trim().split('\n').pop();
    return;
  }
  const why = `test/interop/build.sh exited ${built.code}:\n${built.stderr.trim()}`;
  if (built.code === 3 && !IN_CI) {
    noGo = why;
    console.warn(`interop: skipping, no Go toolchain (CI would fail here).\n${why}`);
    return;
  }
  throw new Error(built.code === 3 ? `interop: Go is required in CI (CI=${process.env['CI']}). ${why}` : `interop: cannot build the Go tool. ${why}`);
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function requireTool(ctx: TestContext): string {
  if (!tool) ctx.skip(noGo ?? 'the Go interop tool was not built');
  return tool!;
}

async function goRead(ctx: TestContext, file: string, opts: { syncId?: string } = {}): Promise<GoReport> {
  const r = await goReadRaw(ctx, file, opts);
  if (r.code !== 0) throw new Error(`the SDK (interop read) refused ${file}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as GoReport;
}

function goReadRaw(ctx: TestContext, file: string, opts: { syncId?: string } = {}): Promise<Run> {
  const args = ['read', '--ids', ...(opts.syncId ? ['--sync-id', opts.syncId] : []), file];
  return run(requireTool(ctx), args);
}

// Go sorts strings by bytes; JS's default sort is by UTF-16 units, which differs for astral
// characters, so sort by UTF-8 bytes here to produce the same order and digest.
function byteSorted(ids: string[]): string[] {
  return ids
    .map((s) => ({ s, b: Buffer.from(s, 'utf8') }))
    .sort((x, y) => Buffer.compare(x.b, y.b))
    .map((x) => x.s);
}

function sha256Lines(sorted: string[]): string {
  const h = createHash('sha256');
  for (const id of sorted) h.update(`${id}\n`, 'utf8');
  return h.digest('hex');
}

function ourIds(reader: C1zReader): Record<Kind, string[]> {
  return {
    resourceTypes: [...reader.resourceTypes()].map((t) => t.id),
    resources: [...reader.resources()].map((r) => `${r.id!.resourceType}/${r.id!.resource}`),
    entitlements: [...reader.entitlements()].map((e) => e.id),
    grants: [...reader.grants()].map((g) => g.id),
  };
}

/** Undefined when equal, else where the two sorted lists first part. */
function firstDifference(ours: string[], sdk: string[]): string | undefined {
  const n = Math.max(ours.length, sdk.length);
  for (let i = 0; i < n; i++) {
    if (ours[i] !== sdk[i]) {
      const ourOnly = ours[i] !== undefined && !sdk.includes(ours[i]!);
      return ourOnly || sdk[i] === undefined
        ? `first differing id (index ${i}): ${JSON.stringify(ours[i])} is in our reader's list, not in the SDK's (the SDK has ${JSON.stringify(sdk[i])} there)`
        : `first differing id (index ${i}): ${JSON.stringify(sdk[i])} is in the SDK's list, not in ours (ours has ${JSON.stringify(ours[i])} there)`;
    }
  }
  return undefined;
}

/** Sync runs as the SDK reports them: our SQLite text timestamps in Go's RFC 3339 form. */
function ourRuns(reader: C1zReader): GoSyncRun[] {
  const iso = (t: string) => `${t.replace(' ', 'T')}Z`;
  return reader.syncRuns().map((r) => ({
    id: r.syncId,
    type: r.syncType,
    startedAt: iso(r.startedAt),
    endedAt: r.endedAt === null ? null : iso(r.endedAt),
    finished: r.endedAt !== null,
  }));
}

/** The whole comparison for one file; returns the counts for the caller's own checks. */
async function expectSameAsSdk(ctx: TestContext, file: string, opts: { syncId?: string } = {}): Promise<GoReport> {
  const sdk = await goRead(ctx, file, opts);
  const reader = await openC1z(file, opts.syncId ? { syncId: opts.syncId } : {});
  try {
    expect(sdk.format).toBe('v1');
    expect(sdk.sync, 'the sync the SDK picks').toBe(reader.sync.syncId);
    expect(sdk.syncRuns).toEqual(ourRuns(reader));
    const ours = ourIds(reader);
    for (const kind of KINDS) {
      const sorted = byteSorted(ours[kind]);
      expect(firstDifference(sorted, sdk[kind].ids ?? []), `${kind} in ${file}`).toBeUndefined();
      expect(sdk[kind].count, `${kind} count`).toBe(sorted.length);
      expect(sdk[kind].sha256, `${kind} digest`).toBe(sha256Lines(sorted));
    }
    // The SDK's own recount (what `baton recalculate-stats` stores): totals and resources per type
    // agree with our reader, and the stats the file carries are exactly that recount.
    const counts = reader.counts();
    expect(sdk.stats['resource_types'] ?? 0).toBe(counts.resourceTypes);
    expect(sdk.stats['entitlements'] ?? 0).toBe(counts.entitlements);
    expect(sdk.stats['grants'] ?? 0).toBe(counts.grants);
    for (const t of reader.statsByResourceType()) expect(sdk.stats[t.resourceType] ?? 0, `stats[${t.resourceType}]`).toBe(t.resources);
    expect(sdk.storedStats, 'the stats stored in the file, as the SDK reads them').toEqual(sdk.stats);
  } finally {
    reader.close();
  }
  return sdk;
}

describe('baton-sdk reads our files as our reader does', () => {
  let demoOut: string;
  beforeAll(async () => {
    if (!tool) return;
    demoOut = join(work, 'demo');
    const r = await run(process.execPath, [join(ROOT, 'bin/baton-serverless.js'), 'demo', '--out', demoOut, '--users', '300', '--json'], 5 * 60_000);
    if (r.code !== 0) throw new Error(`demo failed: ${r.stderr}`);
  }, 5 * 60_000);

  for (const name of connectorNames) {
    it(`demo ${name}`, async (ctx) => {
      requireTool(ctx);
      const sdk = await expectSameAsSdk(ctx, join(demoOut, name, 'sync.c1z'));
      expect(sdk.chosenBy).toBe('latest finished full sync');
      expect(sdk.resources.count).toBeGreaterThan(0);
    });
  }

  it('a Slack workspace of 20,000 users and ≥ 100,000 grants, written by our writer', async (ctx) => {
    requireTool(ctx);
    const tenant = generateTenant({ seed: 14, users: 20_000, userGroups: 500, memberships: 100_000, idpGroups: 100 });
    // Limits off on both sides: the client's own limiter would otherwise pace ~100k calls' worth of pages.
    const sim = await startSlackSim({ tenant, mode: 'pro', rateLimits: 'off' });
    const file = join(work, 'slack-big.c1z');
    try {
      const summary = await syncToFile({ connector: slackConnector, secretMap: sim.config, out: file, httpOverrides: { rateLimitScale: 1e9 } });
      expect(summary.counts).toEqual(sim.expected);
    } finally {
      await sim.server.close();
    }
    const started = performance.now();
    const sdk = await expectSameAsSdk(ctx, file);
    expect(sdk.grants.count).toBeGreaterThanOrEqual(100_000);
    console.log(
      `interop: big Slack file ${sdk.grants.count} grants, ${sdk.resources.count} resources compared in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }, 300_000);

  it('the baton-sdk fixture with a finished full sync', async (ctx) => {
    const sdk = await expectSameAsSdk(ctx, join(FIXTURES, 'sqlite-v1-finished-full-sync.c1z'));
    expect(sdk.sync).toBe('36zfOAoWMxQdISbixanQCRBiX7E');
    expect([sdk.resources.count, sdk.entitlements.count, sdk.grants.count]).toEqual([1221, 342, 14981]);
  });

  it('the baton-sdk checkpoint fixture (one sync, ended_at NULL): the SDK finds no full sync; by id both agree', async (ctx) => {
    const file = join(FIXTURES, 'sqlite-v1-unfinished-sync.c1z');
    const plain = await goReadRaw(ctx, file);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(/no finished full sync/);
    const sdk = await expectSameAsSdk(ctx, file, { syncId: '3ARefY5G8eOytquwYgm41Nq07IZ' });
    expect(sdk.syncRuns).toEqual([expect.objectContaining({ id: '3ARefY5G8eOytquwYgm41Nq07IZ', finished: false, endedAt: null })]);
    expect(sdk.resources.count).toBe(79);
  });

  it('a checkpoint file written by our writer (sync not ended), read by sync id', async (ctx) => {
    requireTool(ctx);
    const dir = mkdtempSync(join(work, 'ckpt-'));
    const w = C1zWriter.create(join(dir, 'db'));
    const syncId = w.startSync();
    w.putResourceTypes([create(ResourceTypeSchema, { id: 'user', displayName: 'User' })]);
    const users = ['U1', 'U2', 'U3'].map((id) => create(ResourceSchema, { id: { resourceType: 'user', resource: id }, displayName: id }));
    w.putResources(users);
    w.checkpoint('{"page":"next"}');
    const file = join(dir, 'checkpoint.c1z');
    await w.finish(file);
    const sdk = await expectSameAsSdk(ctx, file, { syncId });
    expect(sdk.syncRuns).toEqual([expect.objectContaining({ id: syncId, finished: false })]);
    expect(sdk.resources.ids).toEqual(['user/U1', 'user/U2', 'user/U3']);
  });
});

describe('a deliberately broken copy makes the SDK fail or disagree', () => {
  /** A small finished sync from our writer, decoded, edited with `edit`, and re-packed. */
  async function brokenCopy(edit: (db: Database.Database) => void): Promise<string> {
    const dir = mkdtempSync(join(work, 'broken-'));
    const src = join(dir, 'src.c1z');
    const w = C1zWriter.create(join(dir, 'src.db'));
    w.startSync();
    const group = create(ResourceSchema, { id: { resourceType: 'group', resource: 'G1' } });
    const user = create(ResourceSchema, { id: { resourceType: 'user', resource: 'U1' } });
    const ent = create(EntitlementSchema, { id: 'group:G1:member', resource: group, slug: 'member' });
    w.putResourceTypes([create(ResourceTypeSchema, { id: 'group' }), create(ResourceTypeSchema, { id: 'user' })]);
    w.putResources([group, user]);
    w.putEntitlements([ent]);
    w.putGrants([create(GrantSchema, { id: 'group:G1:member:user:U1', entitlement: ent, principal: user })]);
    w.endSync();
    await w.finish(src);
    const dbPath = join(dir, 'edit.db');
    await decodeV1(src, dbPath);
    const db = new Database(dbPath);
    edit(db);
    db.close();
    const out = join(dir, 'broken.c1z');
    await encodeV1(dbPath, out);
    return out;
  }

  it("sync_runs.sync_type 'partial' instead of 'full': the SDK finds no full sync, while our reader falls back", async (ctx) => {
    requireTool(ctx);
    const file = await brokenCopy((db) => db.prepare("UPDATE v1_sync_runs SET sync_type = 'partial'").run());
    const r = await goReadRaw(ctx, file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no finished full sync/);
    const reader = await openC1z(file);
    try {
      expect(reader.chosenBy).toBe('latest finished partial sync');
    } finally {
      reader.close();
    }
  });

  it('a grant row whose protobuf payload is garbage: the SDK fails to list grants', async (ctx) => {
    requireTool(ctx);
    const file = await brokenCopy((db) => db.prepare('UPDATE v1_grants SET data = ?').run(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f])));
    const r = await goReadRaw(ctx, file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/list grants/);
  });

  it('a grant moved to another sync id: the SDK lists one grant fewer than the original', async (ctx) => {
    requireTool(ctx);
    const file = await brokenCopy((db) => db.prepare("UPDATE v1_grants SET sync_id = 'elsewhere'").run());
    const sdk = await goRead(ctx, file);
    expect(sdk.grants.count).toBe(0);
    expect(sdk.entitlements.count).toBe(1);
  });
});

describe('files the SDK writes, read by our reader', () => {
  it('v1 with the SQLite engine: the same ids as the SDK put in', async (ctx) => {
    const bin = requireTool(ctx);
    const file = join(work, 'sdk-sqlite.c1z');
    const w = await run(bin, ['write-sqlite', file]);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout.trim()).toBe('v1');
    expect(readFileSync(file).subarray(0, 5).toString('latin1')).toBe('C1ZF\0');
    const fixture = JSON.parse((await run(bin, ['fixture'])).stdout) as Record<Kind, string[]>;
    const reader = await openC1z(file);
    try {
      expect(reader.chosenBy).toBe('latest finished full sync');
      const ours = ourIds(reader);
      for (const kind of KINDS) expect(byteSorted(ours[kind]), kind).toEqual(byteSorted(fixture[kind]));
      expect(reader.counts()).toEqual({ resourceTypes: 2, resources: 4, entitlements: 3, grants: 5 });
    } finally {
      reader.close();
    }
    // And the SDK agrees with itself through our comparison.
    await expectSameAsSdk(ctx, file);
  });

  it("the SDK's default format: our reader refuses a v3 file with its one-line error (or reads a v1 one)", async (ctx) => {
    const bin = requireTool(ctx);
    const file = join(work, 'sdk-default.c1z');
    const w = await run(bin, ['write-default', file]);
    expect(w.code, w.stderr).toBe(0);
    const format = w.stdout.trim();
    const sdk = await goRead(ctx, file);
    expect(sdk.grants.count).toBe(5);
    if (format === 'v1') {
      const reader = await openC1z(file);
      reader.close();
      return;
    }
    expect(format).toBe('v3');
    const err = await openC1z(file).then(
      (r) => {
        r.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(C1zError);
    expect((err as C1zError).code).toBe('v3_unsupported');
    expect((err as Error).message).toBe(`${file}: c1z v3 (Pebble format, magic C1Z3) is not supported; only v1 (SQLite, magic C1ZF) files can be read`);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe('the baton CLI (baton-sdk cmd/baton, the version go.mod pins) reads every demo file as our views do', () => {
  let baton: string | undefined;
  let demoOut: string;
  const cli = (args: string[]) => run(process.execPath, [join(ROOT, 'bin/baton-serverless.js'), ...args]);
  beforeAll(async () => {
    if (!tool) return;
    const r = await run('bash', [BUILD, 'baton'], BUILD_TIMEOUT_MS);
    if (r.code !== 0) throw new Error(`interop: building the baton CLI failed (exit ${r.code}):\n${r.stderr}`);
    baton = r.stdout.trim().split('\n').pop();
    demoOut = join(work, 'baton-demo');
    const d = await cli(['demo', '--out', demoOut, '--users', '200', '--json']);
    if (d.code !== 0) throw new Error(`demo failed: ${d.stderr}`);
  }, BUILD_TIMEOUT_MS);

  for (const name of connectorNames) {
    it(`demo ${name}: baton stats and baton grants/entitlements -o json agree with ours`, async (ctx) => {
      requireTool(ctx);
      const file = join(demoOut, name, 'sync.c1z');
      const reader = await openC1z(file);
      const counts = reader.counts();
      const grantIds = byteSorted([...reader.grants()].map((g) => g.id));
      reader.close();

      // `stats -o json`: the sync run with its stats, ours and baton's the same document.
      const stats = await run(baton!, ['stats', '-f', file, '-o', 'json']);
      expect(stats.code, stats.stderr).toBe(0);
      const batonRun = JSON.parse(stats.stdout) as { id: string; stats: Record<string, string> };
      expect(batonRun.stats['grants'] ?? '0').toBe(String(counts.grants));
      expect(batonRun.stats['resources'] ?? '0').toBe(String(counts.resources));
      const ours = await cli(['stats', '-f', file, '-o', 'json']);
      expect(ours.code, ours.stderr).toBe(0);
      expect(JSON.parse(ours.stdout)).toEqual(batonRun);

      // The stats in the file are what baton's own recount stores.
      const copy = join(work, `${name}-recount.c1z`);
      copyFileSync(file, copy);
      const recount = await run(baton!, ['recalculate-stats', '-f', copy]);
      expect(recount.code, recount.stderr).toBe(0);
      const after = await run(baton!, ['stats', '-f', copy, '-o', 'json']);
      expect(JSON.parse(after.stdout)).toEqual(batonRun);

      // Grants and entitlements as JSON: the same ids, and every annotation rendered as baton renders it.
      const grants = await run(baton!, ['grants', '-f', file, '-o', 'json']);
      expect(grants.code, grants.stderr).toBe(0);
      const listed = (JSON.parse(grants.stdout) as { grants?: { grant: { id: string } }[] }).grants ?? [];
      expect(firstDifference(grantIds, byteSorted(listed.map((g) => g.grant.id)))).toBeUndefined();
      for (const view of ['grants', 'entitlements'] as const) {
        const b = await run(baton!, [view, '-f', file, '-o', 'json']);
        const o = await cli([view, '-f', file, '-o', 'json']);
        expect(o.code, o.stderr).toBe(0);
        expect(o.stdout).not.toContain('unrenderedAnnotations');
        const rows = (text: string) => {
          const list = ((JSON.parse(text) as Record<string, unknown[] | undefined>)[view] ?? []) as Record<string, { id: string }>[];
          const key = view === 'grants' ? 'grant' : 'entitlement';
          return new Map(list.map((r) => [r[key]!.id, r[key]]));
        };
        const batonRows = rows(b.stdout);
        const ourRows = rows(o.stdout);
        expect(ourRows.size, `${view} rows`).toBe(batonRows.size);
        for (const [id, row] of batonRows) expect(ourRows.get(id), `${view} ${id}`).toEqual(row);
      }
    });
  }
});
