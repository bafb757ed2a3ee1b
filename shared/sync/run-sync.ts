// A sync from a connector definition to a verified c1z file, in slices: each slice runs the engine
// until its deadline and either finishes the sync or leaves a checkpoint (an unfinished-sync c1z)
// in a CheckpointStore for the next slice. The Lambda runs one slice per invocation; the CLI, the
// demo and the benchmarks run one slice with no deadline, or several in one process.
import { copyFile, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { decodeV1, encodeV1 } from '../c1z/container.ts';
import { isKsuid, newKsuid } from '../c1z/ksuid.ts';
import { verifyPacked, verifyPart } from '../c1z/verify.ts';
import { C1zWriter, type Counts } from '../c1z/writer.ts';
import { oneLine } from '../errors.ts';
import type { BucketSnapshot } from '../http/rate-limiter.ts';
import type { CallStat, HttpOverrides, HttpStats } from '../http/types.ts';
import type { SliceBudget } from './budget.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import { parseConnectorConfig, secretValuesOf } from './config.ts';
import type { ConnectorDefinition } from './connector.ts';
import { type EngineState, type Progress, runEngine, stateFromToken } from './engine.ts';
import { createRuntime } from './runtime.ts';

export interface RunSyncOptions<C> {
  definition: ConnectorDefinition<C>;
  config: C;
  /** Secret values to scrub from every error and log line. */
  secretValues?: string[];
  /** Where the finished c1z goes (moved there), unless `deliver` takes it from the work folder. */
  out?: string;
  /** Hands on the verified c1z while it is still in the work folder (e.g. uploads it), with the database it was packed from. */
  deliver?: (file: string, summary: SyncSummary, dbPath: string) => Promise<void>;
  /** Parent of the per-sync work folder (`<workRoot>/<syncId>/`), removed in every outcome. */
  workRoot: string;
  /** When the slice stops starting pages (and, for a time budget, when no wait may end). Default: none. */
  budget?: SliceBudget;
  /** Where an unfinished slice leaves its checkpoint; without one a slice must finish. */
  store?: CheckpointStore;
  concurrency?: number;
  httpOverrides?: HttpOverrides;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  onProgress?: (p: Progress) => void;
}

export interface SyncSummary {
  syncId: string;
  counts: Counts;
  /** Size of the c1z. */
  bytes: number;
  durationMs: number;
  http: HttpStats;
  calls: Record<string, CallStat>;
  mode?: string;
}

/** Which slice of which sync to run. */
export interface SlicePlan {
  syncId: string;
  /** When the sync began (epoch ms): the sync run's started_at, and the base of durationMs. */
  startedAt: number;
  /** 0 for the first slice of a fresh sync. */
  slice: number;
  /** Restore the work from the store's checkpoint of `syncId` (every slice but a fresh first one). */
  resume: boolean;
}

/** What one slice did; `restoreMs` and `checkpointMs` are the checkpoint's costs (0 where none). */
export type SliceResult = {
  counts: Counts;
  http: HttpStats;
  restoreMs: number;
  checkpointMs: number;
  checkpointBytes: number;
} & (
  | { done: true; summary: SyncSummary }
  /** pagesDone: pages this slice finished; 0 means it made no progress and the next slice starts where it did. */
  | { done: false; queued: number; pagesDone: number; phase: EngineState['phase'] }
);

/** A checkpoint that cannot be trusted (missing, not a c1z, another connector's, no state). */
export class CheckpointError extends Error {
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}

export function freshPlan(now = Date.now()): SlicePlan {
  return { syncId: newKsuid(new Date(now)), startedAt: now, slice: 0, resume: false };
}

/** One whole sync in one slice (no checkpoint store). */
export async function runSync<C>(options: RunSyncOptions<C>): Promise<SyncSummary> {
  const result = await runSlice({ ...options, store: undefined, budget: undefined }, freshPlan());
  if (!result.done) throw new Error('unreachable: a slice without a store or budget finishes or throws');
  return result.summary;
}

export async function runSlice<C>(options: RunSyncOptions<C>, plan: SlicePlan): Promise<SliceResult> {
  const sliceStarted = Date.now();
  // The work folder is named by the sync id and removed with all it holds: never anything but a KSUID.
  if (!isKsuid(plan.syncId)) throw new CheckpointError(`sync id ${JSON.stringify(plan.syncId)} is not a KSUID; refusing to use it as a work folder name`);
  const workDir = join(options.workRoot, plan.syncId);
  const dbPath = join(workDir, 'sync.db');
  let writer: C1zWriter | undefined;
  const runtime = createRuntime({
    secrets: options.secretValues,
    httpOverrides: options.httpOverrides,
    log: options.log,
    deadline: options.budget?.deadline,
    hasResource: (type, id) => writer?.hasResource(type, id) ?? false,
    state: {
      get: (key) => openWriter().stateGet(key),
      set: (key, value) => openWriter().stateSet(key, value),
      delete: (key) => openWriter().stateDelete(key),
    },
  });
  const openWriter = (): C1zWriter => {
    if (!writer) throw new Error(`${options.definition.name}: connector state is used before the sync database is open (in create() or validate())`);
    return writer;
  };
  // A warm environment may still hold the database the last checkpoint was taken from; anything
  // else in the folder (a killed attempt's leftovers) goes, and the checkpoint is downloaded.
  const warm = plan.resume && options.store ? await warmParts(workDir, plan.syncId, options.store) : undefined;
  if (warm === undefined) {
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
  }
  let keep = false;
  try {
    const connector = options.definition.create(options.config, runtime);
    const mode = connector.describe?.();
    await connector.validate();
    let state: EngineState | undefined;
    let restoreMs = 0;
    let parts = 0;
    if (plan.resume) {
      const restoring = Date.now();
      ({ writer, parts } = warm ?? (await restore(options, plan.syncId, workDir, dbPath)));
      restoreMs = Date.now() - restoring;
      try {
        state = stateFromToken(
          writer.token(),
          connector.resourceSyncers().map((s) => s.resourceType.id),
        );
      } catch (err) {
        throw new CheckpointError(`checkpoint of sync ${plan.syncId} in ${options.store?.where} cannot be resumed: ${oneLine(err)}`);
      }
    } else {
      writer = C1zWriter.create(dbPath);
      writer.startSync(new Date(plan.startedAt), plan.syncId);
    }
    if (plan.resume) runtime.restoreRateLimits(storedRateLimits(writer, options.log));
    const marks = writer.rowMarks();
    const result = await runEngine({ connector, writer, state, concurrency: options.concurrency, budget: options.budget, onProgress: options.onProgress });
    const syncId = plan.syncId;

    if (!result.done) {
      const left = `${result.state.queue.length} page(s) left in phase ${result.state.phase}`;
      if (!options.store) {
        throw new Error(`${options.definition.name}: stopped at the deadline with ${left}; run it with slices (a checkpoint store) to resume`);
      }
      writer.stateSet(RATE_LIMITS_KEY, JSON.stringify(runtime.rateLimits()));
      const counts = writer.counts();
      const packedAt = Date.now();
      // Only what this slice wrote travels: the cost of a checkpoint follows the slice, not the sync.
      const partDb = join(workDir, `part-${parts}.db`);
      const file = join(workDir, `part-${parts}.c1z`);
      writer.exportChanges(partDb, marks);
      writer.close();
      const packed = await encodeV1(partDb, file);
      await verifyPart(file, partDb, packed, syncId);
      const { bytes } = await options.store.save(syncId, parts, file);
      await Promise.all([rm(partDb), rm(file)]);
      await writeFile(join(workDir, CHAIN_FILE), JSON.stringify({ syncId, parts: parts + 1 }));
      keep = true;
      options.log?.(`slice ${plan.slice} checkpointed: ${left}`, { syncId, slice: plan.slice, checkpointBytes: bytes, part: parts });
      return {
        done: false,
        counts,
        queued: result.state.queue.length,
        pagesDone: result.actionsDone,
        phase: result.state.phase,
        checkpointBytes: bytes,
        checkpointMs: Date.now() - packedAt,
        restoreMs,
        http: runtime.httpStats(),
      };
    }

    const counts = writer.endSync();
    const file = join(workDir, 'sync.c1z');
    const packed = await writer.finish(file);
    // Never hand on a file that a reader would not take as this finished sync, byte for byte.
    await verifyPacked(file, dbPath, packed, syncId, counts);
    const summary: SyncSummary = { syncId, counts, bytes: packed.bytes, durationMs: 0, http: runtime.httpStats(), calls: result.callStats, mode };
    if (options.deliver) await options.deliver(file, summary, dbPath);
    if (options.out) await fileDelivery(options.out).deliver(file, summary);
    if (plan.resume || plan.slice > 0) await options.store?.remove(syncId);
    summary.durationMs = Date.now() - (plan.slice > 0 ? plan.startedAt : sliceStarted);
    return { done: true, summary, counts, http: summary.http, restoreMs, checkpointMs: 0, checkpointBytes: 0 };
  } finally {
    try {
      writer?.close();
    } catch {
      // Only after a failure (a finished slice closed it already): the database goes next anyway.
    }
    if (!keep) await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * The client-side rate limits where the slice left them, kept in the checkpoint beside the
 * connector's state (under a key no connector uses): the app's buckets do not refill because a new
 * slice starts, so the next one goes on at the same pace instead of bursting into 429s.
 */
const RATE_LIMITS_KEY = 'baton-serverless:rate-limits';
const rateLimitsSchema = z.record(
  z.string(),
  z.object({ tat: z.number().finite(), throttledFactor: z.number().positive().max(1), throttledAt: z.number().finite().optional() }),
);

/** What the last slice left; nothing (a fresh schedule) if it left nothing usable. */
function storedRateLimits(writer: C1zWriter, log: RunSyncOptions<unknown>['log']): Record<string, BucketSnapshot> {
  const raw = writer.stateGet(RATE_LIMITS_KEY);
  if (raw === undefined) return {};
  try {
    return rateLimitsSchema.parse(JSON.parse(raw)) as Record<string, BucketSnapshot>;
  } catch {
    log?.('the checkpoint holds no usable rate-limit schedule; this slice paces from a fresh one');
    return {};
  }
}

/** Beside a database kept after a checkpoint: which sync it is and how many parts it matches. */
const CHAIN_FILE = 'checkpoint.json';

/**
 * The database a checkpointed slice left in this environment, if it is exactly the stored
 * checkpoint (same sync, as many parts as the store holds). The marker goes at once: a slice that
 * fails after writing rows must not leave a database that no longer matches.
 */
async function warmParts(workDir: string, syncId: string, store: CheckpointStore): Promise<{ writer: C1zWriter; parts: number } | undefined> {
  const marker = join(workDir, CHAIN_FILE);
  const kept = await readFile(marker, 'utf8').then(
    (text) => JSON.parse(text) as { syncId?: unknown; parts?: unknown },
    () => undefined,
  );
  if (!kept || kept.syncId !== syncId || typeof kept.parts !== 'number') return undefined;
  await rm(marker, { force: true });
  if (kept.parts !== (await store.parts(syncId))) return undefined;
  try {
    return { writer: C1zWriter.resume(join(workDir, 'sync.db'), syncId), parts: kept.parts };
  } catch {
    return undefined;
  }
}

/** The checkpoint from the store alone: every part downloaded, checked, applied in order. */
async function restore<C>(options: RunSyncOptions<C>, syncId: string, workDir: string, dbPath: string): Promise<{ writer: C1zWriter; parts: number }> {
  const store = options.store;
  if (!store) throw new CheckpointError(`sync ${syncId}: resuming needs a checkpoint store`);
  const parts = await store.parts(syncId);
  if (parts === 0) throw new CheckpointError(`checkpoint of sync ${syncId} is missing from ${store.where}`);
  const writer = C1zWriter.create(dbPath);
  try {
    for (let part = 0; part < parts; part++) {
      const file = join(workDir, `resume-${part}.c1z`);
      const partDb = join(workDir, `resume-${part}.db`);
      if (!(await store.load(syncId, part, file))) throw new Error(`part ${part} is missing`);
      await decodeV1(file, partDb);
      writer.importChanges([partDb]);
      await Promise.all([rm(file), rm(partDb)]);
    }
    writer.close();
    return { writer: C1zWriter.resume(dbPath, syncId), parts };
  } catch (err) {
    writer.close();
    throw new CheckpointError(`checkpoint of sync ${syncId} in ${store.where} cannot be resumed: ${oneLine(err)}`, { cause: err });
  }
}

/** The simple entry for tests, the CLI and benchmarks: a `BATON_*` map in, a c1z file out. */
export async function syncToFile<C>(options: {
  connector: ConnectorDefinition<C>;
  secretMap: Record<string, string>;
  out: string;
  workRoot?: string;
  httpOverrides?: HttpOverrides;
  concurrency?: number;
  log?: RunSyncOptions<C>['log'];
  onProgress?: RunSyncOptions<C>['onProgress'];
}): Promise<SyncSummary> {
  const config = parseConnectorConfig(options.connector, options.secretMap);
  return runSync({
    definition: options.connector,
    config,
    secretValues: secretValuesOf(options.secretMap),
    out: options.out,
    workRoot: options.workRoot ?? join(dirname(options.out), '.work'),
    httpOverrides: options.httpOverrides,
    concurrency: options.concurrency,
    log: options.log,
    onProgress: options.onProgress,
  });
}

/** Delivery to a local path: the finished file is moved there. */
export function fileDelivery(out: string): { deliver(file: string, summary: SyncSummary): Promise<void> } {
  return { deliver: (file) => moveFile(file, out) };
}

/** Moves the finished file into place; never over anything but a regular file (e.g. /dev/null). */
async function moveFile(from: string, to: string): Promise<void> {
  // rename() replaces whatever `to` names; as root that includes /dev/null itself.
  const existing = await lstat(to).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing && !existing.isFile() && !existing.isSymbolicLink()) {
    throw Object.assign(new Error(`output ${to} exists and is not a regular file; not replacing it`), { code: 'ENOTREGULAR' });
  }
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, `${to}.tmp`);
    await rename(`${to}.tmp`, to);
  }
}
