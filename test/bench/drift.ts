// `npm run bench -- drift [--grants N] [--users N] [--groups N] [--json]`: what the shrink guard and
// drift add to a sync. Two syncs of a synthetic tenant (the second with hourly churn) are written
// through the writer, each in its own process; then, in a third, the previous file is decoded and
// compared with the new sync's database, as the Lambda does before replacing the live file (its
// S3 download of the previous file is not part of this figure).
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runPhase } from './child.ts';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      grants: { type: 'string', default: '1000000' },
      users: { type: 'string', default: '10000' },
      groups: { type: 'string', default: '1000' },
      json: { type: 'boolean' },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'bench-drift-'));
  const phase = new URL('./drift-phase.ts', import.meta.url).pathname;
  const sizes = [values.users!, values.groups!, values.grants!];
  try {
    await runPhase(phase, ['write', dir, ...sizes, 'previous']);
    const sync = await runPhase(phase, ['write', dir, ...sizes, 'next']);
    const drift = await runPhase(phase, ['compare', dir]);
    const result = {
      grants: sync.grants as number,
      syncSeconds: round(sync.seconds),
      driftSeconds: round(drift.seconds),
      decodeSeconds: round(drift.decodeSeconds as number),
      compareSeconds: round(drift.compareSeconds as number),
      addedShare: round(drift.seconds / sync.seconds),
      syncCpuSeconds: round(sync.cpuSeconds as number),
      driftCpuSeconds: round(drift.cpuSeconds as number),
      decodeCpuSeconds: round(drift.decodeCpuSeconds as number),
      addedCpuShare: round((drift.cpuSeconds as number) / (sync.cpuSeconds as number)),
      loadAverage: round(loadavg()[0]!),
      peakRssMb: round(drift.peakRssMb),
      syncPeakRssMb: round(sync.peakRssMb),
      blocked: drift.blocked as boolean,
      totals: drift.totals,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const t = result.totals as Record<string, { added: number; removed: number }>;
    process.stdout.write(
      [
        `shrink guard + drift — ${result.grants.toLocaleString('en-US')} grants, ${Number(values.users).toLocaleString('en-US')} users, ${Number(values.groups).toLocaleString('en-US')} groups`,
        `  the sync without its API calls (writer → c1z → verified): ${result.syncSeconds}s  peak RSS ${result.syncPeakRssMb} MB`,
        `  guard + drift: ${result.driftSeconds}s (decode the previous file ${result.decodeSeconds}s, compare ${result.compareSeconds}s)  peak RSS ${result.peakRssMb} MB`,
        `  added to the sync: ${Math.round(result.addedShare * 100)} % of its time without API calls, ${Math.round(result.addedCpuShare * 100)} % of its CPU time (${result.driftCpuSeconds}s of ${result.syncCpuSeconds}s; decoding the previous file ${result.decodeCpuSeconds}s)`,
        `  targets: ≤ 10 % of the sync's time, RSS ≤ 256 MB (load average during the run: ${result.loadAverage} on ${availableParallelism()} CPUs)`,
        `  drift: grants +${t.grants?.added} -${t.grants?.removed}, resources +${t.resources?.added} -${t.resources?.removed}; blocked: ${result.blocked}`,
      ].join('\n') + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
