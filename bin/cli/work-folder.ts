// The sync's private work folder next to --out, and the ones earlier runs left behind: a run
// killed with SIGKILL (or a crashed machine) cannot clean up, so the next run to the same output
// removes every folder whose owner process is gone, as the Lambda clears its work root.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const OWNER_FILE = 'owner.pid';
/** A folder without an owner file is only taken for abandoned once it is this old (a run may be creating it). */
const UNOWNED_GRACE_MS = 10 * 60_000;

function prefixFor(out: string): string {
  return `.${basename(out)}.work-`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function abandoned(folder: string, now: number): Promise<boolean> {
  const owner = await readFile(join(folder, OWNER_FILE), 'utf8').catch(() => undefined);
  const pid = owner === undefined ? Number.NaN : Number(owner.trim());
  if (Number.isSafeInteger(pid) && pid > 0) return pid !== process.pid && !alive(pid);
  const st = await stat(folder).catch(() => undefined);
  return st !== undefined && now - st.mtimeMs > UNOWNED_GRACE_MS;
}

/** Removes the work folders of earlier runs to `out` whose process is gone; returns how many. */
export async function removeAbandonedWorkFolders(out: string): Promise<number> {
  const dir = dirname(out);
  const prefix = prefixFor(out);
  const now = Date.now();
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const folder = join(dir, name);
    if (await abandoned(folder, now)) {
      await rm(folder, { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
}

/** A fresh work folder for a run to `out`, marked with this process as its owner. */
export async function createWorkFolder(out: string): Promise<string> {
  const folder = await mkdtemp(join(dirname(out), prefixFor(out)));
  await writeFile(join(folder, OWNER_FILE), `${process.pid}\n`);
  return folder;
}
