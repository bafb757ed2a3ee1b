// Streaming hundreds of MB through zlib allocates a fresh output Buffer per chunk. Their bytes live
// outside the V8 heap and go only when a collection finds their (tiny) JS wrappers dead, and V8
// waits for ~64 MB of such external memory before it collects: a decode's RSS rises by that much
// for nothing. A young-generation collection every few chunks frees them at ~1 ms each.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

let gc: Gc | undefined | null;

function collector(): Gc | null {
  if (gc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gc = (runInNewContext('gc') as Gc | undefined) ?? null;
    } catch {
      gc = null;
    }
  }
  return gc;
}

/**
 * For a stream's chunks: call it with each chunk's length, and every `everyBytes` it frees the
 * Buffers the stream has finished with (a minor collection; nothing where that is unavailable).
 */
export function bufferReleaser(everyBytes = 16 * 1024 * 1024): (chunkBytes: number) => void {
  let since = 0;
  return (chunkBytes) => {
    since += chunkBytes;
    if (since < everyBytes) return;
    since = 0;
    collector()?.({ type: 'minor' });
  };
}
