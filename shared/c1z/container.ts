// The c1z v1 container: `C1ZF\0` + one zstd frame of the whole SQLite file (see README.md here).
import { createReadStream, createWriteStream, readSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createZstdCompress, createZstdDecompress, constants as zc } from 'node:zlib';
import { C1zError } from './errors.ts';
import { bufferReleaser } from './release-buffers.ts';

export const MAGIC_V1 = Buffer.from('C1ZF\0', 'latin1');
export const MAGIC_V3 = Buffer.from('C1Z3\0', 'latin1');
const ZSTD_MAGIC = 0xfd2fb528;
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** What Go readers of v0.7-era SDKs accept; ours defaults to the same so files stay portable. */
export const DEFAULT_MAX_DECODED_BYTES = 3 * 1024 ** 3;

export interface FrameHeader {
  contentSize?: number;
  singleSegment: boolean;
  checksum: boolean;
  windowBytes?: number;
}

/** Parses the zstd frame header that follows the magic (RFC 8878, section 3.1.1.1). */
export function parseFrameHeader(buf: Buffer): FrameHeader | undefined {
  if (buf.length < 6 || buf.readUInt32LE(0) !== ZSTD_MAGIC) return undefined;
  const fhd = buf[4]!;
  const fcsFlag = fhd >> 6;
  const singleSegment = ((fhd >> 5) & 1) === 1;
  const checksum = ((fhd >> 2) & 1) === 1;
  const dictIdBytes = [0, 1, 2, 4][fhd & 3]!;
  let pos = 5;
  let windowBytes: number | undefined;
  if (!singleSegment) {
    const wd = buf[pos]!;
    const exponent = wd >> 3;
    const base = 2 ** (10 + exponent);
    windowBytes = base + (base / 8) * (wd & 7);
    pos += 1;
  }
  pos += dictIdBytes;
  const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!;
  if (buf.length < pos + fcsBytes) return undefined;
  let contentSize: number | undefined;
  if (fcsBytes === 1) contentSize = buf[pos]!;
  else if (fcsBytes === 2) contentSize = buf.readUInt16LE(pos) + 256;
  else if (fcsBytes === 4) contentSize = buf.readUInt32LE(pos);
  else if (fcsBytes === 8) contentSize = Number(buf.readBigUInt64LE(pos));
  return { contentSize, singleSegment, checksum, windowBytes: windowBytes ?? contentSize };
}

export type Variant = 'v1' | 'v3' | 'empty' | 'unknown';

export async function readHead(path: string, length = 32): Promise<Buffer> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new C1zError('not_found', `${path}: cannot open (${err.code ?? err.message})`, { cause: err });
  });
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function variantOf(head: Buffer): Variant {
  if (head.length === 0) return 'empty';
  if (head.subarray(0, 5).equals(MAGIC_V1)) return 'v1';
  if (head.subarray(0, 5).equals(MAGIC_V3)) return 'v3';
  return 'unknown';
}

/** Throws the one-line error for anything that is not a v1 c1z; returns its frame header. */
export async function checkV1(path: string, maxDecodedBytes: number): Promise<FrameHeader> {
  const head = await readHead(path);
  switch (variantOf(head)) {
    case 'empty':
      throw new C1zError('empty', `${path}: empty file, not a c1z`);
    case 'v3':
      throw new C1zError('v3_unsupported', `${path}: c1z v3 (Pebble format, magic C1Z3) is not supported; only v1 (SQLite, magic C1ZF) files can be read`);
    case 'unknown':
      throw new C1zError('not_c1z', `${path}: not a c1z file (expected magic C1ZF\\0, found ${JSON.stringify(head.subarray(0, 5).toString('latin1'))})`);
    case 'v1':
      break;
  }
  const header = parseFrameHeader(head.subarray(5));
  if (!header) throw new C1zError('corrupt', `${path}: c1z magic is followed by no valid zstd frame header (truncated or corrupt)`);
  if (header.contentSize !== undefined && header.contentSize > maxDecodedBytes) {
    throw new C1zError('too_large', `${path}: declared decoded size ${header.contentSize} bytes exceeds the cap of ${maxDecodedBytes} bytes`);
  }
  return header;
}

function capBytes(path: string, max: number, onChunk?: (chunk: Buffer) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      if (total > max) {
        cb(new C1zError('too_large', `${path}: decoded content exceeds the cap of ${max} bytes`));
        return;
      }
      onChunk?.(chunk);
      cb(null, chunk);
    },
  });
}

function zstdError(path: string, err: unknown): Error {
  if (err instanceof C1zError) return err;
  const e = err as NodeJS.ErrnoException;
  const detail = e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message) ? 'truncated zstd stream' : `corrupt zstd data (${e.message})`;
  return new C1zError('corrupt', `${path}: ${detail}`, { cause: err });
}

export interface DecodeResult {
  bytes: number;
}

/**
 * Streams the frame out of a v1 file into `dest` (a path) or discards it, checking the cap, the
 * zstd checksum and that the content is a SQLite database. Never holds the content in memory.
 * `sameAs` (verification after packing): the content must equal that file byte for byte, compared
 * as it streams, which costs less than hashing both sides.
 */
export async function decodeV1(
  path: string,
  dest: string | undefined,
  maxDecodedBytes = DEFAULT_MAX_DECODED_BYTES,
  options: { sameAs?: string } = {},
): Promise<DecodeResult> {
  await checkV1(path, maxDecodedBytes);
  let first: Buffer | undefined;
  let bytes = 0;
  const release = bufferReleaser();
  const original = options.sameAs === undefined ? undefined : await open(options.sameAs, 'r');
  const sink = dest
    ? createWriteStream(dest, { flags: 'wx' })
    : original
      ? comparingSink(path, options.sameAs!, original.fd)
      : new Writable({ write: (_c, _e, cb) => cb() });
  try {
    await pipeline(
      // 1 MiB chunks: with zlib's 16 KiB default, moving the chunks costs more than decompressing.
      createReadStream(path, { start: MAGIC_V1.length, highWaterMark: DECODE_CHUNK_BYTES }),
      createZstdDecompress({ chunkSize: DECODE_CHUNK_BYTES }),
      capBytes(path, maxDecodedBytes, (chunk) => {
        if (!first) first = Buffer.from(chunk.subarray(0, SQLITE_MAGIC.length));
        bytes += chunk.length;
        release(chunk.length);
      }),
      sink,
    );
    const expected = original ? (await original.stat()).size : bytes;
    if (bytes !== expected) throw new C1zError('verify_failed', `${path}: decodes to ${bytes} bytes, not the ${expected} of ${options.sameAs}`);
  } catch (err) {
    if (dest) await rm(dest, { force: true });
    throw zstdError(path, err);
  } finally {
    await original?.close();
  }
  if (!first?.equals(SQLITE_MAGIC)) {
    if (dest) await rm(dest, { force: true });
    throw new C1zError('not_sqlite', `${path}: c1z content is not a SQLite database`);
  }
  return { bytes };
}

/** A sink that checks each decoded chunk against the same bytes of `fd` (one buffer, reused). */
function comparingSink(path: string, originalPath: string, fd: number): Writable {
  let offset = 0;
  let scratch = Buffer.alloc(DECODE_CHUNK_BYTES);
  return new Writable({
    write(chunk: Buffer, _e, cb) {
      if (scratch.length < chunk.length) scratch = Buffer.alloc(chunk.length);
      const read = readSync(fd, scratch, 0, chunk.length, offset);
      if (read !== chunk.length || !scratch.subarray(0, read).equals(chunk)) {
        cb(new C1zError('verify_failed', `${path}: its content differs from ${originalPath} within bytes ${offset}–${offset + chunk.length}`));
        return;
      }
      offset += chunk.length;
      cb();
    },
  });
}

const DECODE_CHUNK_BYTES = 1024 * 1024;

export interface EncodeResult {
  /** Size of the finished c1z. */
  bytes: number;
  /** Size of the SQLite file that went in. */
  dbBytes: number;
}

/**
 * Compresses a closed SQLite file into `out` the way baton-sdk saves: magic, one
 * frame with content size and checksum, level 3; written to `<out>.tmp`, fsynced, then renamed.
 * libzstd marks a frame single-segment only when the content fits its window (2 MiB at level 3),
 * so the Go reader's 128 MiB window cap is never hit.
 */
export async function encodeV1(dbPath: string, out: string): Promise<EncodeResult> {
  const { size } = await stat(dbPath);
  const tmp = `${out}.tmp`;
  const release = bufferReleaser();
  const fh = await open(tmp, 'w');
  try {
    await fh.write(MAGIC_V1);
    await pipeline(
      createReadStream(dbPath),
      new Transform({
        transform(chunk: Buffer, _e, cb) {
          release(chunk.length);
          cb(null, chunk);
        },
      }),
      createZstdCompress({
        pledgedSrcSize: size,
        params: { [zc.ZSTD_c_compressionLevel]: 3, [zc.ZSTD_c_checksumFlag]: 1, [zc.ZSTD_c_contentSizeFlag]: 1 },
      }),
      createWriteStream('', { fd: fh.fd, autoClose: false, start: MAGIC_V1.length }),
    );
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    const e = err as NodeJS.ErrnoException;
    throw new C1zError(
      e.code === 'ENOSPC' ? 'no_space' : 'write_failed',
      `${out}: cannot write c1z (${e.code === 'ENOSPC' ? 'no space left on device' : e.message})`,
      { cause: err },
    );
  }
  await fh.close();
  await rename(tmp, out);
  const { size: bytes } = await stat(out);
  return { bytes, dbBytes: size };
}
