// `baton-serverless sync <connector> --out FILE`: one sync on this machine, config from BATON_* env
// vars or from Secrets Manager.

import { chmod, lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConnectorConfig } from '../../shared/aws/secrets.ts';
import type { C1zReader } from '../../shared/c1z/reader.ts';
import { deadlineBudget } from '../../shared/sync/budget.ts';
import { folderCheckpointStore } from '../../shared/sync/checkpoint-store.ts';
import type { SyncComparison } from '../../shared/sync/compare-syncs.ts';
import { parseConnectorConfig, secretValuesOf } from '../../shared/sync/config.ts';
import { runSlicedSync } from '../../shared/sync/lifecycle.ts';
import { runSync, type SyncSummary } from '../../shared/sync/run-sync.ts';
import { awsClientReady } from './aws-setup.ts';
import type { Io } from './commands.ts';
import { instrument } from './instrument.ts';
import { comparisonJson, comparisonLines, guardLocally, heldMessage, policyOf, ShrinkHeld } from './local-guard.ts';
import { openForCommand } from './open-file.ts';
import { checkOutPath, isWriteProtected } from './out-path.ts';
import { ProgressReporter } from './progress.ts';
import { connectorName, connectorNames, loadConnector } from './registry.ts';
import { interruptible } from './signals.ts';
import type { Parsed } from './spec.ts';
import { formatBytes, table } from './table.ts';
import { UsageError } from './usage.ts';
import { createWorkFolder, removeAbandonedWorkFolders } from './work-folder.ts';

export async function syncCommand(parsed: Parsed, io: Io): Promise<void> {
  const { values, positionals } = parsed;
  if (positionals.length !== 1)
    throw new UsageError(`sync: name one connector (${connectorNames.join(', ')})\nusage: baton-serverless sync <connector> --out FILE [options]`);
  if (typeof values.out !== 'string') throw new UsageError('sync: --out FILE is required (where the c1z goes)');
  const name = connectorName(positionals[0]);
  const sliceSeconds = values['slice-seconds'] === undefined ? undefined : Number(values['slice-seconds']);
  if (sliceSeconds !== undefined && !(sliceSeconds > 0)) throw new UsageError('sync: --slice-seconds takes a positive number of seconds');
  // Before any network call: a bad --out must not cost an API quota or a half-written file.
  const replaceReadOnly = values['replace-read-only'] === true;
  const outPath = await checkOutPath(values.out, '--out', { replaceFlag: '--replace-read-only', replaceReadOnly });
  const protectedMode = await writeProtectedMode(outPath);
  const previousPath = values.previous as string | undefined;
  const policy = policyOf(values);
  const definition = await loadConnector(name);
  let config: unknown;
  let secretValues: string[];
  const secretId = values['secret-id'] as string | undefined;
  if (secretId) {
    const client = new SecretsManagerClient({});
    await awsClientReady(client, `--secret-id ${secretId}`);
    const loaded = await loadConnectorConfig({ client, secretId, schema: definition.configSchema });
    config = loaded.config;
    secretValues = loaded.secretValues;
  } else {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('BATON_') && v !== undefined)) as Record<string, string>;
    config = parseConnectorConfig(definition, env, 'config (from BATON_* environment variables)');
    secretValues = secretValuesOf(env);
  }
  const json = values.json === true;
  const progress = new ProgressReporter(name, process.stderr, process.stderr.isTTY === true && !json);
  // A private work folder next to the output (same file system, so the final move is a rename),
  // removed however the run ends, Ctrl-C included.
  const stale = await removeAbandonedWorkFolders(outPath);
  if (stale > 0 && !json) io.err(`removed ${stale} work folder${stale === 1 ? '' : 's'} an earlier, killed run to ${outPath} left behind`);
  const workRoot = await createWorkFolder(outPath);
  let summary: SyncSummary & { slices?: number };
  let previous: C1zReader | undefined;
  let comparison: SyncComparison | undefined;
  try {
    // Opened before the sync: an unreadable --previous must not cost an API quota.
    if (previousPath !== undefined) previous = await openForCommand('sync', previousPath, { 'max-decoded-mb': values['max-decoded-mb'] }, '--previous');
    const candidate = join(workRoot, 'candidate.c1z');
    const options = {
      definition: instrument(definition, progress),
      config,
      secretValues,
      out: previous ? candidate : outPath,
      workRoot,
      log: (message: string, fields?: Record<string, unknown>) => {
        // Throttles and long waits reach the terminal through the progress reporter already.
        if (!json && fields?.httpEvent === undefined) {
          progress.finish();
          io.err(message);
        }
      },
      onProgress: (p: { phase: string }) => progress.onPhase(p.phase === 'access' ? 'entitlements and grants' : p.phase),
    };
    summary = await interruptible(
      () =>
        sliceSeconds === undefined
          ? runSync(options)
          : // As the Lambda runs a sync: slices of at most N seconds, each leaving a checkpoint
            // (an unfinished-sync c1z) that the next one resumes from; here in the work folder.
            runSlicedSync({
              ...options,
              store: folderCheckpointStore(join(workRoot, 'checkpoints')),
              sliceBudget: () => deadlineBudget(Date.now() + sliceSeconds * 1000),
            }),
      () => rm(workRoot, { recursive: true, force: true }),
    );
    if (previous) comparison = await guardLocally(previous, candidate, outPath, policy, workRoot);
  } finally {
    progress.finish();
    previous?.close();
    await rm(workRoot, { recursive: true, force: true });
  }
  // Replacing a write-protected file was asked for; protecting it again was not taken back.
  if (protectedMode !== undefined) await chmod(outPath, protectedMode);
  const compared = comparison ? comparisonJson(comparison) : {};
  if (json)
    await io.out.line(
      JSON.stringify({
        connector: name,
        out: outPath,
        ...summaryJson(summary),
        ...(summary.slices === undefined ? {} : { slices: summary.slices }),
        ...compared,
      }),
    );
  else {
    if (!comparison?.verdict.blocked) await io.out.line(summaryTable([[name, summary]], outPath));
    for (const line of comparison ? comparisonLines(comparison) : []) await io.out.line(line);
  }
  await io.out.flush();
  if (comparison?.verdict.blocked) throw new ShrinkHeld(heldMessage(comparison, previousPath!, outPath));
}

async function writeProtectedMode(path: string): Promise<number | undefined> {
  const st = await lstat(path).catch(() => undefined);
  return st && isWriteProtected(st) ? st.mode & 0o7777 : undefined;
}

export function summaryJson(s: SyncSummary): Record<string, unknown> {
  return {
    syncId: s.syncId,
    counts: s.counts,
    bytes: s.bytes,
    durationMs: s.durationMs,
    apiRequests: s.http.requests,
    apiRetries: s.http.retries,
    apiThrottles: s.http.throttles,
  };
}

export function summaryTable(rows: [string, SyncSummary][], where?: string): string {
  const t = table(
    ['connector', 'resources', 'entitlements', 'grants', 'bytes', 'seconds', 'api calls'],
    rows.map(([n, s]) => [n, s.counts.resources, s.counts.entitlements, s.counts.grants, s.bytes, Number((s.durationMs / 1000).toFixed(2)), s.http.requests]),
  );
  return where ? `${t}\n\nwrote ${where} (${formatBytes(rows[0]![1].bytes)})` : t;
}
