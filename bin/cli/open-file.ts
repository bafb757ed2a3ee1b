// Opening a c1z for a read command: the decoded-size cap from the flag or baton-sdk's variable,
// and a missing file named with the flag that chose it.
import { statSync } from 'node:fs';
import { type C1zReader, openC1z } from '../../shared/c1z/reader.ts';
import { printable } from './printable.ts';
import type { Parsed } from './spec.ts';
import { UsageError } from './usage.ts';

export function maxDecodedBytes(command: string, values: Parsed['values']): number | undefined {
  const raw = (values['max-decoded-mb'] as string | undefined) ?? process.env.BATON_DECODER_MAX_DECODED_SIZE_MB;
  if (raw === undefined) return undefined;
  const mb = Number(raw);
  if (!(mb > 0) || !Number.isFinite(mb))
    throw new UsageError(`${command}: --max-decoded-mb (or BATON_DECODER_MAX_DECODED_SIZE_MB) takes a positive number of MiB, not ${JSON.stringify(raw)}`);
  return mb * 1024 * 1024;
}

export async function openForCommand(command: string, path: string, values: Parsed['values'], how = 'the file'): Promise<C1zReader> {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`${command}: ${printable(path)}: no such file (${how}); pass the c1z with -f FILE`);
    throw err;
  }
  if (!isFile) throw new UsageError(`${command}: ${printable(path)} is not a regular file`);
  return openC1z(path, { syncId: values['sync-id'] as string | undefined, maxDecodedBytes: maxDecodedBytes(command, values) });
}

export function formatOf(command: string, values: Parsed['values']): 'console' | 'json' {
  const f = (values['output-format'] as string | undefined) ?? 'console';
  if (f !== 'console' && f !== 'json') throw new UsageError(`${command}: -o takes console or json, not ${JSON.stringify(f)}`);
  return f;
}
