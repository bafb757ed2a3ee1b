// Plain text tables: columns sized to content, numbers right-aligned. The streaming form sizes
// columns from the first rows only, so a million rows print in bounded memory; a later, wider
// cell is printed whole (the row runs long) rather than cut.
import type { Output } from './output.ts';
import { printable } from './printable.ts';

type Cell = string | number;

const SAMPLE_ROWS = 1000;

// Cells carry app-provided names: a control character would drive the terminal or break the row.
function text(c: Cell): string {
  return typeof c === 'number' ? c.toLocaleString('en-US') : printable(c);
}

function widthsOf(headers: string[], rows: Cell[][]): number[] {
  const widths = headers.map((h) => h.length);
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, text(c).length)));
  return widths;
}

function formatter(headers: string[], rows: Cell[][]): (r: Cell[]) => string {
  const widths = widthsOf(headers, rows);
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  return (r) =>
    r
      .map((c, i) => (numeric[i] ? text(c).padStart(widths[i]!) : text(c).padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
}

function rule(headers: string[], rows: Cell[][]): string {
  return widthsOf(headers, rows)
    .map((w) => '-'.repeat(w))
    .join('  ');
}

/** A small table as one string (summaries). */
export function table(headers: string[], rows: Cell[][]): string {
  const line = formatter(headers, rows);
  return [line(headers), rule(headers, rows), ...rows.map(line)].join('\n');
}

/** Rows of any number, written as they come. */
export class TableWriter {
  private sample: Cell[][] | undefined = [];
  private line: ((r: Cell[]) => string) | undefined;
  rows = 0;

  private readonly headers: string[];
  private readonly out: Output;

  constructor(headers: string[], out: Output) {
    this.headers = headers;
    this.out = out;
  }

  async row(cells: Cell[]): Promise<void> {
    this.rows += 1;
    if (this.sample) {
      this.sample.push(cells);
      if (this.sample.length >= SAMPLE_ROWS) await this.release();
      return;
    }
    await this.out.line(this.line!(cells));
  }

  async end(): Promise<void> {
    if (this.sample) await this.release();
    await this.out.flush();
  }

  private async release(): Promise<void> {
    const sample = this.sample!;
    this.sample = undefined;
    this.line = formatter(this.headers, sample);
    await this.out.line(this.line(this.headers));
    await this.out.line(rule(this.headers, sample));
    for (const r of sample) await this.out.line(this.line(r));
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
