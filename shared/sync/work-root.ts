// The function's /tmp between invocations. Lambda can kill a run without `finally` (hard timeout,
// out of memory) and the next invocation may land in the same environment with its /tmp, so each
// run first removes what earlier runs of this function left (only sync-id-named folders: ours).
import { readdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { isKsuid } from '../c1z/ksuid.ts';

export async function removeLeftovers(workRoot: string): Promise<string[]> {
  const entries = await readdir(workRoot, { withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory() || !isKsuid(e.name)) continue;
    await rm(join(workRoot, e.name), { recursive: true, force: true });
    removed.push(e.name);
  }
  return removed;
}

export async function ensureFreeSpace(dir: string, minMb: number): Promise<void> {
  const s = await statfs(dir);
  const freeMb = (s.bavail * s.bsize) / 1024 ** 2;
  if (freeMb < minMb) {
    throw new Error(`not enough free space in ${dir}: ${freeMb.toFixed(0)} MiB free, at least ${minMb} MiB needed (raise the function's ephemeral storage)`);
  }
}
