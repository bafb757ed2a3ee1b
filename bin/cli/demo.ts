// `baton-serverless demo`: every connector against its bundled simulator on loopback, no AWS and no
// credentials: the quickest proof that the whole pipeline works on this machine.
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type SyncSummary, syncToFile } from '../../shared/sync/run-sync.ts';
import type { Io } from './commands.ts';
import { instrument } from './instrument.ts';
import { checkOutPath } from './out-path.ts';
import { printable } from './printable.ts';
import { ProgressReporter } from './progress.ts';
import { connectorNames, loadConnector, loadSimulator } from './registry.ts';
import { interruptible } from './signals.ts';
import { intFlag, type Parsed } from './spec.ts';
import { summaryJson, summaryTable } from './sync.ts';
import { UsageError } from './usage.ts';

/** `--out` as a folder demo may write into: refused in one line when it is empty or a file. */
async function demoFolder(raw: string): Promise<string> {
  if (raw.trim() === '') throw new UsageError('demo: --out needs a folder path, not an empty string');
  const dir = resolve(raw);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new UsageError(`demo: --out ${printable(raw)} is a file or lies under one; give a folder (demo writes <connector>/sync.c1z in it)`);
    }
    throw err;
  }
  return dir;
}

export async function demoCommand(parsed: Parsed, io: Io): Promise<void> {
  const { values } = parsed;
  const users = intFlag('demo', 'users', values.users as string, 1, 10_000_000)!;
  const dir = await demoFolder(values.out as string);
  const json = values.json === true;
  const results: [string, SyncSummary][] = [];
  for (const name of connectorNames) {
    await mkdir(join(dir, name), { recursive: true });
    const out = await checkOutPath(join(dir, name, 'sync.c1z'), '--out');
    const progress = new ProgressReporter(`${name} (simulated)`, process.stderr, process.stderr.isTTY === true && !json);
    if (!json && !process.stderr.isTTY) io.err(`${name}: syncing a simulated tenant of ${users} users…`);
    const sim = await loadSimulator(name);
    // Real limits compressed 60×: the demo shows the limiter at work without waiting minutes.
    const running = await sim.start({ users, seed: 1, rateLimits: 60 });
    const workRoot = join(dir, name, '.work');
    const connector = instrument(await loadConnector(name), progress);
    try {
      const summary = await interruptible(
        () =>
          syncToFile({
            connector,
            secretMap: running.config,
            out,
            workRoot,
            httpOverrides: { rateLimitScale: 60 },
            onProgress: (p) => progress.onPhase(p.phase === 'access' ? 'entitlements and grants' : p.phase),
          }),
        () => rm(workRoot, { recursive: true, force: true }),
      );
      results.push([name, summary]);
    } finally {
      progress.finish();
      await rm(workRoot, { recursive: true, force: true });
      await running.server.close();
    }
  }
  if (json) {
    await io.out.line(JSON.stringify({ out: dir, connectors: Object.fromEntries(results.map(([n, s]) => [n, summaryJson(s)])) }));
    return;
  }
  await io.out.line(summaryTable(results));
  await io.out.line('');
  await io.out.line(`wrote ${results.map(([n]) => join(dir, n, 'sync.c1z')).join(', ')}`);
  await io.out.line(`look inside with: npx baton-serverless resources -f ${join(values.out as string, results[0]?.[0] ?? 'slack', 'sync.c1z')}`);
}
