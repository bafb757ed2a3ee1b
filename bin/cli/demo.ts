// `baton-serverless demo`: every connector against its bundled simulator on loopback, no AWS and no
// credentials: the quickest proof that the whole pipeline works on this machine.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { syncToFile, type SyncSummary } from '../../shared/sync/run-sync.ts';
import { connectorNames, loadConnector, loadSimulator } from './registry.ts';
import { summaryJson, summaryTable } from './sync.ts';
import { UsageError } from './usage.ts';

export async function demoCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string', default: 'demo-out' }, users: { type: 'string', default: '200' }, json: { type: 'boolean' } },
  });
  const users = Number(values.users);
  if (!Number.isInteger(users) || users < 1) throw new UsageError('demo: --users takes a whole number ≥ 1');
  const dir = resolve(values.out!);
  const results: [string, SyncSummary][] = [];
  for (const name of connectorNames) {
    const sim = await loadSimulator(name);
    // Real limits compressed 60×: the demo shows the limiter at work without waiting minutes.
    const running = await sim.start({ users, seed: 1, rateLimits: 60 });
    try {
      await mkdir(join(dir, name), { recursive: true });
      const summary = await syncToFile({
        connector: await loadConnector(name),
        secretMap: running.config,
        out: join(dir, name, 'sync.c1z'),
        httpOverrides: { rateLimitScale: 60 },
      });
      results.push([name, summary]);
    } finally {
      await running.server.close();
    }
  }
  if (values.json) out(JSON.stringify({ out: dir, connectors: Object.fromEntries(results.map(([n, s]) => [n, summaryJson(s)])) }));
  else out(`${summaryTable(results)}\n\nwrote ${results.map(([n]) => join(dir, n, 'sync.c1z')).join(', ')}\ninspect one with: npx baton-serverless inspect ${join(values.out!, results[0]?.[0] ?? 'slack', 'sync.c1z')}`);
}
