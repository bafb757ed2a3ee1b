// Checks `--out` before any API call: the c1z replaces a regular file or creates a new one in an
// existing, writable folder, and nothing else. Running as root, a rename onto /dev/null would
// replace the device itself.
import { constants, type Stats } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { printable } from './printable.ts';
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

export interface OutPathOptions {
  /** The flag that lets a write-protected file be replaced; without one, such a file is refused. */
  replaceFlag?: string;
  /** That flag was given. */
  replaceReadOnly?: boolean;
}

/** A regular file nobody may write to: someone protected it, so replacing it needs a yes. */
export function isWriteProtected(s: Stats): boolean {
  return s.isFile() && (s.mode & 0o222) === 0;
}

/** Resolves `--out` and refuses anything the sync must not write to; returns the absolute path. */
export async function checkOutPath(given: string, flag = '--out', options: OutPathOptions = {}): Promise<string> {
  if (given.trim() === '') throw new UsageError(`${flag} needs a file path, not an empty string`);
  const path = resolve(given);
  // Paths are echoed in messages: shown with their control characters escaped.
  const raw = printable(given);
  const own = await statOrUndefined(() => lstat(path));
  if (own) {
    // The final rename replaces a symlink itself, never its target, but a link to a device is
    // almost certainly a mistake worth stopping for.
    const target = own.isSymbolicLink() ? await statOrUndefined(() => stat(path)) : own;
    if (target && !target.isFile()) {
      const what = own.isSymbolicLink() ? `a symbolic link to ${kindOf(target)}` : kindOf(target);
      throw new UsageError(`${flag} ${raw} is ${what}; give a file path (an existing regular file is replaced)`);
    }
    // The mode bits, not access(): as root access() allows every write.
    if (target && isWriteProtected(target) && !options.replaceReadOnly) {
      const mode = (target.mode & 0o777).toString(8).padStart(4, '0');
      const how = options.replaceFlag
        ? `pass ${options.replaceFlag} to replace it (it stays write-protected), or choose another path`
        : 'make it writable or choose another path';
      throw new UsageError(`${flag} ${raw} is write-protected (mode ${mode}); ${how}`);
    }
  }
  const dir = printable(dirname(path));
  const parent = await statOrUndefined(() => stat(dirname(path)));
  if (!parent) throw new UsageError(`${flag} ${raw}: folder ${dir} does not exist; create it first (mkdir -p ${dir})`);
  if (!parent.isDirectory()) throw new UsageError(`${flag} ${raw}: ${dir} is ${kindOf(parent)}, not a folder`);
  try {
    await access(dirname(path), constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
    if (code === 'EROFS') throw new OutPathError(`${flag} ${raw}: ${dir} is on a read-only file system (EROFS)`, code);
    throw new OutPathError(`${flag} ${raw}: no permission to write in ${dir} (${code})`, code);
  }
  return path;
}
