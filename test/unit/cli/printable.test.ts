// Console output is safe: control characters in app-provided names (table cells) and in
// user-provided arguments (error lines) are shown as escapes, never sent to the terminal raw.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../bin/cli/main.ts';
import { Output } from '../../../bin/cli/output.ts';
import { printable } from '../../../bin/cli/printable.ts';
import { TableWriter, table } from '../../../bin/cli/table.ts';

// Anything a terminal acts on: C0 but line feed, DEL, C1 (8-bit CSI, OSC…), bidi overrides.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const hostile = ['Eve\u001b]0;owned\u0007', 'wipe\u001b[2J', 'forged\r\nrow  admin', 'csi\u009b2J', 'tab\there', 'rtl\u202eevil'];

describe('tables', () => {
  it('escape control characters in cells, one row per row', () => {
    const out = table(
      ['name', 'n'],
      hostile.map((h, i) => [h, i]),
    );
    expect(out).not.toMatch(RAW_CONTROL);
    expect(out.split('\n')).toHaveLength(2 + hostile.length);
    expect(out).toContain('Eve\\x1b]0;owned\\x07');
    expect(out).toContain('forged\\r\\nrow  admin');
    expect(out).toContain('rtl\\u202eevil');
  });

  it('escape them in streamed tables too', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (d) => (text += d));
    const t = new TableWriter(['id', 'display name'], new Output(stream));
    for (const h of hostile) await t.row(['u1', h]);
    await t.end();
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text.trimEnd().split('\n')).toHaveLength(2 + hostile.length);
  });

  it('leave ordinary text alone', () => {
    expect(printable('Zoë O’Brien (admin) 漢字 DOMAIN\\user')).toBe('Zoë O’Brien (admin) 漢字 DOMAIN\\user');
  });
});

describe('error lines', () => {
  async function stderrOf(...argv: string[]): Promise<string> {
    const errs: string[] = [];
    await main(argv, { out: new Output(new PassThrough()), err: (s) => errs.push(s) });
    return errs.join('\n');
  }

  it('escape control characters from arguments', async () => {
    const err = await stderrOf('sync', 'slack', '--out', '/no-such-folder\u001b[2J\u009b/x.c1z');
    expect(err).toContain('/no-such-folder\\x1b[2J\\x9b/x.c1z');
    expect(err).not.toMatch(RAW_CONTROL);
  });

  it('escape an 8-bit control sequence that JSON quoting lets through', async () => {
    const err = await stderrOf('resources\u009b2J');
    expect(err).toContain('\\x9b2J');
    expect(err).not.toMatch(RAW_CONTROL);
  });

  it('cannot forge a line from an argument', async () => {
    const err = await stderrOf('sync', 'slack', '--out', '/no-such-folder\nbaton-serverless: all good/x.c1z');
    expect(err.split('\n').filter((l) => l.startsWith('baton-serverless: all good'))).toEqual([]);
  });
});
