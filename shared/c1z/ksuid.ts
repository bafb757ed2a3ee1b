import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const EPOCH_SECONDS = 1_400_000_000;
const LENGTH = 27;

/** A KSUID as segmentio/ksuid prints it: 4-byte big-endian seconds since 2014-05-13 + 16 random bytes, base62. */
export function newKsuid(now: Date = new Date(), payload: Uint8Array = randomBytes(16)): string {
  const bytes = Buffer.alloc(20);
  bytes.writeUInt32BE(Math.floor(now.getTime() / 1000) - EPOCH_SECONDS, 0);
  Buffer.from(payload).copy(bytes, 4, 0, 16);
  let n = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(LENGTH, '0');
}

/** The time a KSUID was minted (seconds precision). */
export function ksuidTime(id: string): Date {
  let n = 0n;
  for (const ch of id) n = n * 62n + BigInt(ALPHABET.indexOf(ch));
  const seconds = Number(n >> 128n);
  return new Date((seconds + EPOCH_SECONDS) * 1000);
}

export function isKsuid(id: string): boolean {
  return id.length === LENGTH && [...id].every((c) => ALPHABET.includes(c));
}
