// Ctrl-C and SIGTERM during a long command: run the command's cleanup (the sync's work folder),
// then exit 130 / 143 as shells expect. A second Ctrl-C exits at once.
export class Interrupted extends Error {
  readonly signal: NodeJS.Signals;
  readonly exitCode: number;

  constructor(signal: NodeJS.Signals, exitCode: number) {
    super(`interrupted by ${signal}; partial output removed`);
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
  const interrupted = new Promise<never>((_, reject) => {
    onSignal = (s: NodeJS.Signals) => {
      for (const sig of Object.keys(CODES) as NodeJS.Signals[]) process.removeListener(sig, onSignal!);
      process.once('SIGINT', () => process.exit(130));
      controller.abort();
      void cleanup().finally(() => reject(new Interrupted(s, CODES[s] ?? 1)));
    };
    for (const sig of Object.keys(CODES) as NodeJS.Signals[]) process.once(sig, onSignal);
  });
  try {
    return await Promise.race([work(controller.signal), interrupted]);
  } finally {
    for (const sig of Object.keys(CODES) as NodeJS.Signals[]) if (onSignal) process.removeListener(sig, onSignal);
  }
}
