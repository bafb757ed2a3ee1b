// One whole sync from a connector definition to a verified c1z file on disk: what the Lambda
// handler, the CLI, the demo and the benchmarks all run.
import { copyFile, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { newKsuid } from '../c1z/ksuid.ts';
import { verifyPacked } from '../c1z/verify.ts';
import { C1zWriter, type Counts } from '../c1z/writer.ts';
import type { CallStat, HttpClientOptions, HttpStats } from '../http/types.ts';
import { parseConnectorConfig, secretValuesOf } from './config.ts';
import type { ConnectorDefinition } from './connector.ts';
import { runEngine, type Progress } from './engine.ts';
import { createRuntime } from './runtime.ts';

export interface RunSyncOptions<C> {
  definition: ConnectorDefinition<C>;
  config: C;
  /** Secret values to scrub from every error and log line. */
  secretValues?: string[];
  /** Where the finished c1z goes (moved there), unless `deliver` takes it from the work folder. */
  out?: string;
  /** Hands on the verified c1z while it is still in the work folder (e.g. uploads it). */
  deliver?: (file: string, summary: SyncSummary) => Promise<void>;
  /** Parent of the per-sync work folder (`<workRoot>/<syncId>/`), removed in every outcome. */
  workRoot: string;
  /** Epoch ms after which no page starts; the run then fails with DeadlineError. */
  deadline?: number;
  concurrency?: number;
  httpOverrides?: Partial<HttpClientOptions>;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  onProgress?: (p: Progress & { counts?: Counts }) => void;
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

export class DeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineError';
  }
}

export async function runSync<C>(options: RunSyncOptions<C>): Promise<SyncSummary> {
  const started = Date.now();
  const syncId = newKsuid();
  const workDir = join(options.workRoot, syncId);
  const runtime = createRuntime({ secrets: options.secretValues, httpOverrides: options.httpOverrides, log: options.log });
  await mkdir(workDir, { recursive: true });
  let writer: C1zWriter | undefined;
  try {
    const connector = options.definition.create(options.config, runtime);
    const mode = connector.describe?.();
    await connector.validate();
    writer = C1zWriter.create(join(workDir, 'sync.db'));
    writer.startSync(new Date(started), syncId);
    const result = await runEngine({
      connector,
      writer,
      concurrency: options.concurrency,
      deadline: options.deadline,
      onProgress: options.onProgress,
    });
    if (!result.done) {
      throw new DeadlineError(
        `${options.definition.name}: stopped before the deadline with ${result.state.queue.length} page(s) left in phase ${result.state.phase}; raise the function timeout (resuming across invocations is not wired yet)`,
      );
    }
    const counts = writer.endSync();
    const packed = await writer.finish(join(workDir, 'sync.c1z'));
    // Never hand on a file that a reader would not take as this finished sync, byte for byte.
    await verifyPacked(join(workDir, 'sync.c1z'), writer.dbPath, packed, syncId, counts);
    const summary: SyncSummary = { syncId, counts, bytes: packed.bytes, durationMs: 0, http: runtime.httpStats(), calls: result.callStats, mode };
    if (options.deliver) await options.deliver(join(workDir, 'sync.c1z'), summary);
    if (options.out) await moveFile(join(workDir, 'sync.c1z'), options.out);
    summary.durationMs = Date.now() - started;
    return summary;
  } finally {
    writer?.close();
    await rm(workDir, { recursive: true, force: true });
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
  deadline?: number;
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
    deadline: options.deadline,
    log: options.log,
    onProgress: options.onProgress,
  });
}

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
