// Small mistakes on the command line get one clear line and exit 2, before any work starts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../bin/cli/main.ts';
import { Output } from '../../../bin/cli/output.ts';
import { tempDir } from '../../support/tmp.ts';

async function run(...argv: string[]): Promise<{ code: number; stderr: string }> {
  const errs: string[] = [];
  const code = await main(argv, { out: new Output(new PassThrough()), err: (s) => errs.push(s) });
  return { code, stderr: errs.join('\n') };
}

describe('refused in one line', () => {
  it.each([
    [['demo', '--users', '-5'], 'baton-serverless: demo: --users takes a whole number from 1 to 10000000, not "-5"'],
    [['sim', 'slack', '--port', '-1'], 'baton-serverless: sim: --port takes a whole number from 0 to 65535, not "-1"'],
    [['sync', 'slack', '--out', 'x.c1z', '--slice-seconds', '-3'], 'baton-serverless: sync: --slice-seconds takes a positive number of seconds'],
    [['demo', '--out', ''], 'baton-serverless: demo: --out needs a folder path, not an empty string'],
  ])('a negative number or an empty value: %j', async (argv, line) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(line);
  });

  it('demo --out naming a file (or a path under one) says it needs a folder', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'keep');
    for (const out of [file, join(file, 'sub')]) {
      const r = await run('demo', '--out', out);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`baton-serverless: demo: --out ${out} is a file or lies under one; give a folder (demo writes <connector>/sync.c1z in it)`);
    }
  });
});
