// Everything the process prints while `fn` runs (Powertools logs and EMF metrics go to stdout and
// stderr), with the value or the error it ended with.
import { vi } from 'vitest';

export async function captured<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: Error; output: string }> {
  const chunks: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    }) as typeof stream.write),
  );
  try {
    return { value: await fn(), output: chunks.join('') };
  } catch (error) {
    return { error: error as Error, output: chunks.join('') };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}
