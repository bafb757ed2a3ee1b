// A sync from a connector definition to a verified c1z file, in slices: each slice runs the engine
// until its deadline and either finishes the sync or leaves a checkpoint (an unfinished-sync c1z)
// in a CheckpointStore for the next slice. The Lambda runs one slice per invocation; the CLI, the
// demo and the benchmarks run one slice with no deadline, or several in one process.
import { copyFile, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeV1 } from '../c1z/container.ts';
import { newKsuid } from '../c1z/ksuid.ts';
import { verifyPacked } from '../c1z/verify.ts';
import { C1zWriter, type Counts } from '../c1z/writer.ts';
import { oneLine } from '../errors.ts';
import type { CallStat, HttpClientOptions, HttpStats } from '../http/types.ts';
import type { SliceBudget } from './budget.ts';
import type { CheckpointStore } from './checkpoint-store.ts';
import { parseConnectorConfig, secretValuesOf } from './config.ts';
import type { ConnectorDefinition } from './connector.ts';
import { runEngine, stateFromToken, type EngineState, type Progress } from './engine.ts';
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
  httpOverrides?: Partial<HttpClientOptions>;
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
} & ({ done: true; summary: SyncSummary } | { done: false; queued: number; phase: EngineState['phase'] });

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
  const workDir = join(options.workRoot, plan.syncId);
  const dbPath = join(workDir, 'sync.db');
  let writer: C1zWriter | undefined;
  const runtime = createRuntime({
    secrets: options.secretValues,
    httpOverrides: options.httpOverrides,
    log: options.log,
    deadline: options.budget?.deadline,
    hasResource: (type, id) => writer?.hasResource(type, id) ?? false,
  });
  // A killed earlier attempt of this slice may have left the folder: start from the checkpoint.
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  try {
    const connector = options.definition.create(options.config, runtime);
    const mode = connector.describe?.();
    await connector.validate();
    let state: EngineState | undefined;
    let restoreMs = 0;
    if (plan.resume) {
      const restoring = Date.now();
      writer = await restore(options, plan.syncId, workDir, dbPath);
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
    const result = await runEngine({ connector, writer, state, concurrency: options.concurrency, budget: options.budget, onProgress: options.onProgress });
    const syncId = plan.syncId;

    if (!result.done) {
      const left = `${result.state.queue.length} page(s) left in phase ${result.state.phase}`;
      if (!options.store) {
        throw new Error(`${options.definition.name}: stopped at the deadline with ${left}; run it with slices (a checkpoint store) to resume`);
      }
      const counts = writer.counts();
      const packedAt = Date.now();
      const file = join(workDir, 'checkpoint.c1z');
      const packed = await writer.finish(file);
      await verifyPacked(file, dbPath, packed, syncId, counts, false);
      const { bytes } = await options.store.save(syncId, file);
      options.log?.(`slice ${plan.slice} checkpointed: ${left}`, { syncId, slice: plan.slice, checkpointBytes: bytes });
      return {
        done: false,
        counts,
        queued: result.state.queue.length,
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
    writer?.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

async function restore<C>(options: RunSyncOptions<C>, syncId: string, workDir: string, dbPath: string): Promise<C1zWriter> {
  const store = options.store;
  if (!store) throw new CheckpointError(`sync ${syncId}: resuming needs a checkpoint store`);
  const file = join(workDir, 'resume.c1z');
  if (!(await store.load(syncId, file))) throw new CheckpointError(`checkpoint of sync ${syncId} is missing from ${store.where}`);
  try {
    await decodeV1(file, dbPath);
    await rm(file);
    return C1zWriter.resume(dbPath, syncId);
  } catch (err) {
    throw new CheckpointError(`checkpoint of sync ${syncId} in ${store.where} cannot be resumed: ${oneLine(err)}`, { cause: err });
  }
}

/** The simple entry for tests, the CLI and benchmarks: a `BATON_*` map in, a c1z file out. */
export async function syncToFile<C>(options: {
  connector: ConnectorDefinition<C>;
  secretMap: Record<string, string>;
  out: string;
  workRoot?: string;
  httpOverrides?: Partial<HttpClientOptions>;
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
