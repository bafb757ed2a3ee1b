// `npm run bench -- c1z [--grants N] [--users N] [--groups N] [--json]`: our writer against the raw
// floor (bare SQLite inserts of pre-encoded blobs + zstd), each in its own process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
      zstd: { type: 'string', default: 'node' },
      json: { type: 'boolean' },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'bench-c1z-'));
  const phase = new URL('./c1z-phase.ts', import.meta.url).pathname;
  const args = [dir, values.users!, values.groups!, values.grants!, values.zstd!];
  try {
    const floor = await runPhase(phase, ['floor', ...args]);
    const writer = await runPhase(phase, ['writer', ...args]);
    const ratio = writer.seconds / floor.seconds;
    const result = {
      writerSeconds: round(writer.seconds),
      floorSeconds: round(floor.seconds),
      ratio: round(ratio),
      peakRssMb: round(writer.peakRssMb),
      floorPeakRssMb: round(floor.peakRssMb),
      fileBytes: writer.fileBytes as number,
      floorFileBytes: floor.fileBytes as number,
      rows: writer.rows as number,
      floorZstdSeconds: round(floor.zstdSeconds as number),
      zstd: values.zstd,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    const rate = (p: { seconds: number; rows?: unknown }) => Math.round((p.rows as number) / p.seconds).toLocaleString('en-US');
    process.stdout.write(
      [
        `c1z writer vs raw floor — ${Number(values.users).toLocaleString('en-US')} users, ${Number(values.groups).toLocaleString('en-US')} groups, ${Number(values.grants).toLocaleString('en-US')} grants (zstd: ${values.zstd})`,
        `  writer: ${result.writerSeconds}s  ${rate(writer)} rows/s  file ${result.fileBytes.toLocaleString('en-US')} B  peak RSS ${result.peakRssMb} MB`,
        `  floor:  ${result.floorSeconds}s  ${rate(floor)} rows/s  file ${result.floorFileBytes.toLocaleString('en-US')} B  peak RSS ${result.floorPeakRssMb} MB`,
        `  zstd of the floor's ${(floor.dbBytes as number).toLocaleString('en-US')} B database with ${values.zstd}: ${result.floorZstdSeconds}s, ${result.floorFileBytes.toLocaleString('en-US')} B`,
        `  ratio writer/floor: ${result.ratio}  (target ≤ 1.25; peak RSS target ≤ 256 MB)`,
      ].join('\n') + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
