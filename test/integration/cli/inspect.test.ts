import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../support/tmp.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FIXTURES = join(ROOT, 'test/fixtures/c1z');
const FINISHED = join(FIXTURES, 'sqlite-v1-finished-full-sync.c1z');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/baton-serverless.js'), ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('baton-serverless inspect', () => {
  it('summarises a file: sync runs and counts per resource type', () => {
    const r = cli('inspect', FINISHED);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('36zfOAoWMxQdISbixanQCRBiX7E');
    expect(r.stdout).toMatch(/total\s+1,221\s+342\s+14,981/);
    expect(r.stdout).toMatch(/role\s+100\s+100\s+6,320/);
  });

  it('--json is one document with the counts of the chosen sync', () => {
    const r = cli('inspect', FINISHED, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.counts).toEqual({ resourceTypes: 4, resources: 1221, entitlements: 342, grants: 14981 });
    expect(doc.sync.syncId).toBe('36zfOAoWMxQdISbixanQCRBiX7E');
  });

  it('views with a resource type filter', () => {
    const grants = JSON.parse(cli('inspect', FINISHED, '--grants', '--resource-type', 'group', '--json').stdout);
    expect(grants.grants).toHaveLength(2291);
    expect(
      grants.grants.every((g: { entitlement: { resource: { id: { resourceType: string } } } }) => g.entitlement.resource.id.resourceType === 'group'),
    ).toBe(true);
    const table = cli('inspect', FINISHED, '--entitlements', '--resource-type', 'project');
    expect(table.code).toBe(0);
    expect(table.stdout.trim().split('\n')).toHaveLength(2 + 200);
    const resources = cli('inspect', FINISHED, '--resources', '--resource-type', 'user');
    expect(resources.stdout.trim().split('\n')).toHaveLength(2 + 1000);
  });

  it.each([
    ['an empty file', '', /empty file/],
    ['a v3 file', 'C1Z3\0\0\0\0\0', /Pebble/],
    ['a text file', 'not a c1z at all', /not a c1z file/],
    ['a truncated file', 'C1ZF\0\x28\xb5\x2f\xfd\x04\x58\x00', /truncated|corrupt/],
  ])('%s: non-zero exit and one line naming the problem', (_name, content, pattern) => {
    const p = join(tempDir(), 'bad.c1z');
    writeFileSync(p, Buffer.from(content, 'latin1'));
    const r = cli('inspect', p);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });

  it('content over the decoded-size cap: non-zero exit, one line', () => {
    const r = cli('inspect', FINISHED, '--max-decoded-mb', '1');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/exceeds the cap of 1048576 bytes/);
  });

  it('a SQLite database without the v1 tables: non-zero exit, one line', () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'plain.db'));
    db.exec('CREATE TABLE notes (id integer primary key)');
    db.close();
    const p = join(dir, 'plain.c1z');
    writeFileSync(p, Buffer.concat([Buffer.from('C1ZF\0', 'latin1'), zstdCompressSync(readFileSync(join(dir, 'plain.db')))]));
    const r = cli('inspect', p);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/without the c1z v1 tables/);
  });

  it('usage errors exit 2', () => {
    expect(cli('inspect').code).toBe(2);
    expect(cli('frobnicate').code).toBe(2);
  });
});
