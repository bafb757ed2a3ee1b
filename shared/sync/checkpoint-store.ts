// Where a partial sync waits between slices: an unfinished-sync c1z (what baton-sdk writes for its
// own checkpoints) whose sync_token holds the engine state. S3 in Lambda (shared/aws), a folder for
// local runs.
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredCheckpoint {
  syncId: string;
  /** When it was written, epoch ms. */
  savedAt: number;
  bytes: number;
}

export interface CheckpointStore {
  /** Where checkpoints live, for log lines (`s3://…/.checkpoint/`, a folder). */
  readonly where: string;
  save(syncId: string, file: string): Promise<{ bytes: number }>;
  /** Copies the checkpoint of `syncId` to `dest`; false when there is none. */
  load(syncId: string, dest: string): Promise<boolean>;
  remove(syncId: string): Promise<void>;
  /** Every checkpoint present, newest first. */
  list(): Promise<StoredCheckpoint[]>;
}

/** Checkpoints as `<dir>/<syncId>.c1z`. */
export function folderCheckpointStore(dir: string): CheckpointStore {
  const path = (syncId: string) => join(dir, `${syncId}.c1z`);
  return {
    where: dir,
    async save(syncId, file) {
      await mkdir(dir, { recursive: true });
      await copyFile(file, path(syncId));
      return { bytes: (await stat(path(syncId))).size };
    },
    async load(syncId, dest) {
      try {
        await copyFile(path(syncId), dest);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },
    async remove(syncId) {
      await rm(path(syncId), { force: true });
    },
    async list() {
      const names = await readdir(dir).catch(() => [] as string[]);
      const out: StoredCheckpoint[] = [];
      for (const name of names) {
        if (!name.endsWith('.c1z')) continue;
        const s = await stat(join(dir, name));
        out.push({ syncId: name.slice(0, -4), savedAt: s.mtimeMs, bytes: s.size });
      }
      return out.sort((a, b) => b.savedAt - a.savedAt);
    },
  };
}
