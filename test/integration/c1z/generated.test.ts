import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bufPath } from '../../support/buf.ts';
import { tempDir } from '../../support/tmp.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

describe('generated protobuf code', () => {
  it('is what buf + protoc-gen-es make of shared/c1z/proto today', () => {
    const out = tempDir('gen-');
    const template = readFileSync(join(ROOT, 'buf.gen.yaml'), 'utf8').replace('out: shared/c1z/gen', `out: ${join(out, 'gen')}`);
    writeFileSync(join(out, 'buf.gen.yaml'), template);
    cpSync(join(ROOT, 'shared/c1z/proto'), join(out, 'proto'), { recursive: true });
    execFileSync(bufPath(), ['generate', 'proto', '--template', 'buf.gen.yaml'], {
      cwd: out,
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
    });
    const committed = join(ROOT, 'shared/c1z/gen');
    const fresh = join(out, 'gen');
    expect(files(fresh)).toEqual(files(committed));
    for (const f of files(committed))
      expect(readFileSync(join(fresh, f), 'utf8'), `${f} is stale: run npm run generate`).toBe(readFileSync(join(committed, f), 'utf8'));
  });
});
