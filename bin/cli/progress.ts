// What a long command shows on stderr while it runs: one status line on a terminal (API calls, rows,
// the rate-limit wait in force), and a line of its own for every retry and throttle as it happens.
import type { HttpEvent } from '../../shared/http/types.ts';
import { waitNotice } from '../../shared/http/wait-notice.ts';
import type { Watchers } from './instrument.ts';
import { printable } from './printable.ts';

const REDRAW_MS = 250;

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export class ProgressReporter implements Watchers {
  private calls = 0;
  private readonly rows = { resources: 0, entitlements: 0, grants: 0 };
  private waiting: { text: string; until: number } | undefined;
  private phase = 'starting';
  private lastDraw = 0;
  private drawn = false;
  private readonly name: string;
  private readonly stream: NodeJS.WriteStream;
  private readonly live: boolean;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;

  /** `live`: redraw a status line (a terminal); otherwise only retries and throttles are printed. */
  constructor(name: string, stream: NodeJS.WriteStream, live: boolean) {
    this.name = name;
    this.stream = stream;
    this.live = live;
    // A long rate-limit wait produces no events; the clock and the wait must still move.
    if (live) this.timer = setInterval(() => this.draw(), 1000).unref();
  }

  onHttp(e: HttpEvent): void {
    switch (e.type) {
      case 'attempt':
        this.calls += 1;
        break;
      case 'waiting': {
        this.waiting = { text: `waiting ${secs(e.waitMs)} for ${e.key} (${e.perMinute}/min)`, until: Date.now() + e.waitMs };
        // Without a status line a long wait would be silence; it gets a line of its own.
        const notice = this.live ? undefined : waitNotice(e);
        if (notice) this.say(notice);
        break;
      }
      case 'retry':
        this.say(`${e.app}: ${e.route} failed (${e.reason}); retry ${e.retry} of ${e.of} in ${secs(e.waitMs)}`);
        break;
      case 'throttled':
        this.say(waitNotice(e)!);
        break;
    }
    this.draw();
  }

  onRows(kind: 'resources' | 'entitlements' | 'grants', n: number): void {
    this.rows[kind] += n;
    this.draw();
  }

  onPhase(phase: string): void {
    this.phase = phase;
    this.draw();
  }

  /** Ends the status line so what follows starts on a clean line. */
  finish(): void {
    clearInterval(this.timer);
    if (this.live && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  status(): string {
    const r = this.rows;
    const wait = this.waiting && this.waiting.until > Date.now() ? `, ${this.waiting.text}` : '';
    return `${this.name}: ${this.phase}, ${this.calls} API calls, ${r.resources} resources, ${r.entitlements} entitlements, ${r.grants} grants, ${secs(Date.now() - this.started)}${wait}`;
  }

  private say(line: string): void {
    if (this.live && this.drawn) this.stream.write('\r\x1b[K');
    this.stream.write(`${printable(line)}\n`);
    this.drawn = false;
    this.lastDraw = 0;
  }

  private draw(): void {
    if (!this.live) return;
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const columns = this.stream.columns || 120;
    this.stream.write(`\r\x1b[K${printable(this.status()).slice(0, columns - 1)}`);
    this.drawn = true;
  }
}
