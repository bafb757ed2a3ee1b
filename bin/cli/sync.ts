// `baton-serverless sync <connector> --out FILE`: one sync on this machine, config from BATON_* env
// vars or from Secrets Manager.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConnectorConfig } from '../../shared/aws/secrets.ts';
import { parseConnectorConfig, secretValuesOf } from '../../shared/sync/config.ts';
import { runSync, type SyncSummary } from '../../shared/sync/run-sync.ts';
import { connectorName, connectorNames, loadConnector } from './registry.ts';
import { formatBytes, table } from './table.ts';
import { UsageError } from './usage.ts';

export async function syncCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' }, 'secret-id': { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1 || !values.out) throw new UsageError(`usage: baton-serverless sync <${connectorNames.join('|')}> --out FILE [--secret-id ID] [--json]`);
  const name = connectorName(positionals[0]);
  const definition = await loadConnector(name);
  let config: unknown;
  let secretValues: string[];
  if (values['secret-id']) {
    const loaded = await loadConnectorConfig({ client: new SecretsManagerClient({}), secretId: values['secret-id'], schema: definition.configSchema });
    config = loaded.config;
    secretValues = loaded.secretValues;
  } else {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('BATON_') && v !== undefined)) as Record<string, string>;
    config = parseConnectorConfig(definition, env, 'config (from BATON_* environment variables)');
    secretValues = secretValuesOf(env);
  }
  const outPath = resolve(values.out);
  await mkdir(dirname(outPath), { recursive: true });
  const tty = process.stderr.isTTY && !values.json;
  const summary = await runSync({
    definition,
    config,
    secretValues,
    out: outPath,
    workRoot: dirname(outPath),
    log: (message) => {
      if (!values.json) err(message);
    },
    onProgress: tty ? (p) => process.stderr.write(`\r${name}: ${p.phase}, ${p.actionsDone} pages done, ${p.queued} queued   `) : undefined,
  });
  if (tty) process.stderr.write('\n');
  if (values.json) out(JSON.stringify({ connector: name, out: outPath, ...summaryJson(summary) }));
  else out(summaryTable([[name, summary]], outPath));
}

export function summaryJson(s: SyncSummary): Record<string, unknown> {
  return { syncId: s.syncId, counts: s.counts, bytes: s.bytes, durationMs: s.durationMs, apiRequests: s.http.requests, apiRetries: s.http.retries, apiThrottles: s.http.throttles };
}

export function summaryTable(rows: [string, SyncSummary][], where?: string): string {
  const t = table(
    ['connector', 'resources', 'entitlements', 'grants', 'bytes', 'seconds', 'api calls'],
    rows.map(([n, s]) => [n, s.counts.resources, s.counts.entitlements, s.counts.grants, s.bytes, Number((s.durationMs / 1000).toFixed(2)), s.http.requests]),
  );
  return where ? `${t}\n\nwrote ${where} (${formatBytes(rows[0]![1].bytes)})` : t;
}
