// Checks `--out` before any API call: the c1z replaces a regular file or creates a new one in an
// existing, writable folder, and nothing else. Running as root, a rename onto /dev/null would
// replace the device itself.
import { constants, type Stats } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './usage.ts';

/** The environment refuses the write (read-only, permissions): exit 1, not a usage error. */
export class OutPathError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'OutPathError';
    this.code = code;
  }
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isSymbolicLink()) return 'a symbolic link';
  return 'a regular file';
}

async function statOrUndefined(fn: () => Promise<Stats>): Promise<Stats | undefined> {
  try {
    return await fn();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Resolves `--out` and refuses anything the sync must not write to; returns the absolute path. */
export async function checkOutPath(raw: string, flag = '--out'): Promise<string> {
  const path = resolve(raw);
  const own = await statOrUndefined(() => lstat(path));
  if (own) {
    // The final rename replaces a symlink itself, never its target, but a link to a device is
    // almost certainly a mistake worth stopping for.
    const target = own.isSymbolicLink() ? await statOrUndefined(() => stat(path)) : own;
    if (target && !target.isFile()) {
      const what = own.isSymbolicLink() ? `a symbolic link to ${kindOf(target)}` : kindOf(target);
      throw new UsageError(`${flag} ${raw} is ${what}; give a file path (an existing regular file is replaced)`);
    }
  }
  const dir = dirname(path);
  const parent = await statOrUndefined(() => stat(dir));
  if (!parent) throw new UsageError(`${flag} ${raw}: folder ${dir} does not exist; create it first (mkdir -p ${dir})`);
  if (!parent.isDirectory()) throw new UsageError(`${flag} ${raw}: ${dir} is ${kindOf(parent)}, not a folder`);
  try {
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
    if (code === 'EROFS') throw new OutPathError(`${flag} ${raw}: ${dir} is on a read-only file system (EROFS)`, code);
    throw new OutPathError(`${flag} ${raw}: no permission to write in ${dir} (${code})`, code);
  }
  return path;
}
