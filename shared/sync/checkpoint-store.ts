// Where a partial sync waits between slices: a chain of parts per sync, each a c1z of what the
// sync wrote since the part before (the first: everything so far), so a slice uploads what it
// did, not the whole sync again. Applied in order to an empty database they give the unfinished
// sync, its engine state in sync_token. S3 in Lambda (shared/aws), a folder for local runs.
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredCheckpoint {
  syncId: string;
  /** When its newest part was written, epoch ms. */
  savedAt: number;
  /** All parts together. */
  bytes: number;
  parts: number;
}

export interface CheckpointStore {
  /** Where checkpoints live, for log lines (`s3://…/.checkpoint/`, a folder). */
  readonly where: string;
  /** Saves part `part` (0, 1, …) of the checkpoint of `syncId`. */
  save(syncId: string, part: number, file: string): Promise<{ bytes: number }>;
  /** How many parts the checkpoint of `syncId` has (0: none). */
  parts(syncId: string): Promise<number>;
  /** Copies part `part` of `syncId`'s checkpoint to `dest`; false when there is none. */
  load(syncId: string, part: number, dest: string): Promise<boolean>;
  /** Removes every part. */
  remove(syncId: string): Promise<void>;
  /** Every checkpoint present, newest first. Ids are as found: the caller checks them. */
  list(): Promise<StoredCheckpoint[]>;
}

/** `<id>/<part>.c1z` under a prefix, as a store lists it: the sync id and part, or undefined. */
export function parsePartKey(rest: string): { syncId: string; part: number } | undefined {
  const slash = rest.lastIndexOf('/');
  const m = /^(\d{1,6})\.c1z$/.exec(rest.slice(slash + 1));
  if (slash <= 0 || !m) return undefined;
  return { syncId: rest.slice(0, slash), part: Number(m[1]) };
}

/** Groups parts by sync: the number of parts is the count of 0..n-1 present without a gap. */
export function groupParts(parts: { syncId: string; part: number; savedAt: number; bytes: number }[]): StoredCheckpoint[] {
  const bySync = new Map<string, StoredCheckpoint & { seen: Set<number> }>();
  for (const p of parts) {
    const c = bySync.get(p.syncId) ?? { syncId: p.syncId, savedAt: 0, bytes: 0, parts: 0, seen: new Set<number>() };
    c.savedAt = Math.max(c.savedAt, p.savedAt);
    c.bytes += p.bytes;
    c.seen.add(p.part);
    bySync.set(p.syncId, c);
  }
  return [...bySync.values()]
    .map(({ seen, ...c }) => {
      let n = 0;
      while (seen.has(n)) n++;
      return { ...c, parts: n };
    })
    .sort((a, b) => b.savedAt - a.savedAt);
}

/** Checkpoints as `<dir>/<syncId>/<part>.c1z`. */
export function folderCheckpointStore(dir: string): CheckpointStore {
  const path = (syncId: string, part: number) => join(dir, syncId, `${part}.c1z`);
  const store: CheckpointStore = {
    where: dir,
    async save(syncId, part, file) {
      await mkdir(join(dir, syncId), { recursive: true });
      await copyFile(file, path(syncId, part));
      return { bytes: (await stat(path(syncId, part))).size };
    },
    async parts(syncId) {
      return (await store.list()).find((c) => c.syncId === syncId)?.parts ?? 0;
    },
    async load(syncId, part, dest) {
      try {
        await copyFile(path(syncId, part), dest);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },
    async remove(syncId) {
      await rm(join(dir, syncId), { recursive: true, force: true });
    },
    async list() {
      const found: { syncId: string; part: number; savedAt: number; bytes: number }[] = [];
      for (const id of await readdir(dir).catch(() => [] as string[])) {
        for (const name of await readdir(join(dir, id)).catch(() => [] as string[])) {
          const key = parsePartKey(`${id}/${name}`);
          if (!key) continue;
          const s = await stat(join(dir, id, name));
          found.push({ ...key, savedAt: s.mtimeMs, bytes: s.size });
        }
      }
      return groupParts(found);
    },
  };
  return store;
}
