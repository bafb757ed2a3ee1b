// Ctrl-C and SIGTERM during a long command, or the caller dying (npx killed): run the command's
// cleanup (the sync's work folder), then exit 130 / 143 as shells expect. A second Ctrl-C exits
// at once.
import { watchCaller } from './caller.ts';

export class Interrupted extends Error {
  readonly signal: NodeJS.Signals;
  readonly exitCode: number;

  constructor(signal: NodeJS.Signals, exitCode: number, why = `interrupted by ${signal}`) {
    super(`${why}; partial output removed`);
    this.name = 'Interrupted';
    this.signal = signal;
    this.exitCode = exitCode;
  }
}

const CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Runs `work` so that a signal rejects it with Interrupted after `cleanup` has run. Without this,
 * Node's default handler exits on the spot and leaves the work folder behind.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>, cleanup: () => Promise<void>): Promise<T> {
  const controller = new AbortController();
  let onSignal: ((s: NodeJS.Signals) => void) | undefined;
  let stopWatching: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    const stop = (s: NodeJS.Signals, why?: string) => {
      for (const sig of Object.keys(CODES) as NodeJS.Signals[]) process.removeListener(sig, onSignal!);
      stopWatching?.();
      process.once('SIGINT', () => process.exit(130));
      controller.abort();
      void cleanup().finally(() => reject(new Interrupted(s, CODES[s] ?? 1, why)));
    };
    onSignal = (s: NodeJS.Signals) => stop(s);
    for (const sig of Object.keys(CODES) as NodeJS.Signals[]) process.once(sig, onSignal);
    // Nobody is left to wait for the result: stop as a SIGTERM would.
    stopWatching = watchCaller((pid) => stop('SIGTERM', `stopped: the process that started this one (pid ${pid}) exited`));
  });
  try {
    return await Promise.race([work(controller.signal), interrupted]);
  } finally {
    stopWatching?.();
    for (const sig of Object.keys(CODES) as NodeJS.Signals[]) if (onSignal) process.removeListener(sig, onSignal);
  }
}

/**
 * Resolves on SIGINT, SIGTERM or SIGHUP, or when the caller is gone: the stop signal of the commands
 * that serve until told otherwise (webhook, sim).
 */
export function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    let stopWatching: (() => void) | undefined;
    const done = (why: string) => {
      for (const sig of signals) process.removeListener(sig, onSignal);
      stopWatching?.();
      resolve(why);
    };
    const onSignal = (s: NodeJS.Signals) => done(s);
    for (const sig of signals) process.once(sig, onSignal);
    stopWatching = watchCaller((pid) => done(`the process that started this one (pid ${pid}) exited`));
  });
}
