// SHA-256 of a file (whole and per multipart part) in one streaming pass.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { errorCode } from '../errors.ts';
import { UploadError } from './s3-request.ts';

const MIB = 1024 * 1024;

export interface FileDigest {
  bytes: number;
  sha256: Buffer;
  partSha256: Buffer[];
}

/** One pass over the file: SHA-256 of the whole file and, if partSize > 0, of each part. */
export async function hashFile(file: string, partSize: number, bucket: string, key: string): Promise<FileDigest> {
  const whole = createHash('sha256');
  const partSha256: Buffer[] = [];
  let part = partSize > 0 ? createHash('sha256') : undefined;
  let inPart = 0;
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: MIB }) as AsyncIterable<Buffer>) {
      whole.update(chunk);
      bytes += chunk.length;
      if (part === undefined) continue;
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(chunk.length - offset, partSize - inPart);
        part.update(chunk.subarray(offset, offset + take));
        inPart += take;
        offset += take;
        if (inPart === partSize) {
          partSha256.push(part.digest());
          part = createHash('sha256');
          inPart = 0;
        }
      }
    }
  } catch (err) {
    const code = errorCode(err);
    throw new UploadError(bucket, key, code, `upload to s3://${bucket}/${key} failed: cannot read ${file} (${code})`, { cause: err });
  }
  if (part !== undefined && (inPart > 0 || partSha256.length === 0)) partSha256.push(part.digest());
  return { bytes, sha256: whole.digest(), partSha256 };
}
