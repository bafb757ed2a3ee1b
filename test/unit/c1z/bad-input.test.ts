import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { C1zError } from '../../../shared/c1z/errors.ts';
import { openC1z } from '../../../shared/c1z/reader.ts';
import { tempDir } from '../../support/tmp.ts';

const FIXTURE = new URL('../../fixtures/c1z/sqlite-v1-finished-full-sync.c1z', import.meta.url).pathname;

async function failure(path: string, opts?: Parameters<typeof openC1z>[1]): Promise<C1zError> {
  const err = await openC1z(path, opts).then(
    (r) => {
      r.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(C1zError);
  const e = err as C1zError;
  expect(e.message).not.toContain('\n');
  expect(e.message).toContain(path);
  return e;
}

describe('reader refuses bad input with one clear line', () => {
  it('v3 Pebble file', async () => {
    const p = join(tempDir(), 'v3.c1z');
    writeFileSync(p, Buffer.concat([Buffer.from('C1Z3\0', 'latin1'), Buffer.from([0, 0, 0, 4, 1, 2, 3, 4])]));
    const e = await failure(p);
    expect(e.code).toBe('v3_unsupported');
    expect(e.message).toMatch(/Pebble/);
    expect(e.message).toMatch(/v1/);
  });

  it('a file that is not a c1z', async () => {
    const p = join(tempDir(), 'x.c1z');
    writeFileSync(p, 'hello world, not a c1z');
    expect((await failure(p)).code).toBe('not_c1z');
  });

  it('an empty file', async () => {
    const p = join(tempDir(), 'empty.c1z');
    writeFileSync(p, '');
    expect((await failure(p)).message).toMatch(/empty file/);
  });

  it('a missing file', async () => {
    expect((await failure(join(tempDir(), 'nope.c1z'))).code).toBe('not_found');
  });

  it('truncated zstd', async () => {
    const p = join(tempDir(), 'trunc.c1z');
    const full = readFileSync(FIXTURE);
    writeFileSync(p, full.subarray(0, Math.floor(full.length / 2)));
    const e = await failure(p);
    expect(e.code).toBe('corrupt');
    expect(e.message).toMatch(/truncated|corrupt/);
  });

  it('corrupt zstd data (flipped bytes in the middle)', async () => {
    const p = join(tempDir(), 'corrupt.c1z');
    const bytes = Buffer.from(readFileSync(FIXTURE));
    for (let i = 400_000; i < 400_064; i++) bytes[i] = bytes[i]! ^ 0xff;
    writeFileSync(p, bytes);
    expect((await failure(p)).code).toBe('corrupt');
  });

  it('magic with no zstd frame after it', async () => {
    const p = join(tempDir(), 'magic-only.c1z');
    writeFileSync(p, 'C1ZF\0');
    expect((await failure(p)).code).toBe('corrupt');
  });

  it('decoded content above the cap (streamed, no content size in the frame)', async () => {
    const e = await failure(FIXTURE, { maxDecodedBytes: 1_000_000 });
    expect(e.code).toBe('too_large');
    expect(e.message).toMatch(/1000000/);
  });

  it('declared content size above the cap fails before decoding', async () => {
    const dir = tempDir();
    const p = join(dir, 'big.c1z');
    const content = Buffer.alloc(5_000_000);
    Buffer.from('SQLite format 3\0', 'latin1').copy(content);
    writeFileSync(p, Buffer.concat([Buffer.from('C1ZF\0', 'latin1'), zstdCompressSync(content, { pledgedSrcSize: content.length })]));
    const e = await failure(p, { maxDecodedBytes: 4_000_000 });
    expect(e.message).toMatch(/declared decoded size 5000000/);
  });

  it('content that is not SQLite', async () => {
    const p = join(tempDir(), 'text.c1z');
    writeFileSync(p, Buffer.concat([Buffer.from('C1ZF\0', 'latin1'), zstdCompressSync(Buffer.from('just some text that is not sqlite'))]));
    expect((await failure(p)).code).toBe('not_sqlite');
  });

  it('a SQLite database without the v1 tables', async () => {
    const dir = tempDir();
    const db = new Database(join(dir, 'plain.db'));
    db.exec('CREATE TABLE notes (id integer primary key, body text)');
    db.close();
    const p = join(dir, 'plain.c1z');
    writeFileSync(p, Buffer.concat([Buffer.from('C1ZF\0', 'latin1'), zstdCompressSync(readFileSync(join(dir, 'plain.db')))]));
    const e = await failure(p);
    expect(e.code).toBe('not_v1_schema');
    expect(e.message).toMatch(/v1_resource_types/);
  });
});
