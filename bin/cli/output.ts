// stdout for output of any size: batched writes that wait for the pipe to drain (bounded memory),
// and a reader that went away (`| head -1`) ends the command quietly instead of with a stack trace.
import type { Writable } from 'node:stream';

/** The reader of stdout closed it; the command stops and exits 0, as Unix tools do on EPIPE. */
export class PipeClosed extends Error {
  constructor() {
    super('stdout closed');
    this.name = 'PipeClosed';
  }
}

const FLUSH_BYTES = 64 * 1024;

export class Output {
  private buffer: string[] = [];
  private size = 0;
  private closed = false;
  private failure: Error | undefined;

  private readonly stream: Writable;

  constructor(stream: Writable = process.stdout) {
    this.stream = stream;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else this.failure = err;
    });
  }

  /** Queues one line; awaits only when a batch is written. */
  async line(text: string): Promise<void> {
    this.check();
    this.buffer.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= FLUSH_BYTES) await this.flush();
  }

  /** Text without a newline (pieces of one JSON document). */
  async write(text: string): Promise<void> {
    this.check();
    this.buffer.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    this.check();
    if (!this.stream.write(chunk)) {
      // An 'error' ends the wait too; the listener above has recorded what it was.
      await new Promise<void>((resolve) => {
        const done = () => {
          for (const e of ['drain', 'close', 'error']) this.stream.off(e, done);
          resolve();
        };
        for (const e of ['drain', 'close', 'error']) this.stream.on(e, done);
      });
    }
    // An EPIPE is reported on the next tick; let it land before the caller produces more.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new PipeClosed();
  }
}
