// `baton-serverless diff OLD NEW`.
import type { Io } from './commands.ts';
import { writeDiff } from './diff.ts';
import { formatOf, openForCommand } from './open-file.ts';
import type { Parsed } from './spec.ts';
import { UsageError } from './usage.ts';

export async function diffCommand(parsed: Parsed, io: Io): Promise<void> {
  if (parsed.positionals.length !== 2) throw new UsageError('diff: give two files, OLD and NEW\nusage: baton-serverless diff OLD NEW [options]');
  const format = formatOf('diff', parsed.values);
  const [oldPath, newPath] = parsed.positionals as [string, string];
  const older = await openForCommand('diff', oldPath, parsed.values, 'OLD');
  try {
    const newer = await openForCommand('diff', newPath, parsed.values, 'NEW');
    try {
      await writeDiff(older, newer, io.out, format);
    } finally {
      newer.close();
    }
  } finally {
    older.close();
  }
}
