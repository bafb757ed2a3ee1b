/**
 * A small, dependency-free reader for the two facts we need about a native addon:
 * which machine it was built for, and which symbol versions (e.g. GLIBC_2.34) it needs
 * from the shared libraries it links against (the ELF `.gnu.version_r` section).
 *
 * Lambda's Node.js 24 runtime runs on Amazon Linux 2023 (glibc 2.34): an addon that needs a
 * newer GLIBC_x.y fails to load there with "version `GLIBC_2.xx' not found".
 */
import { readFileSync } from 'node:fs';

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;

const SHT_GNU_VERNEED = 0x6ffffffe;

export interface ElfInfo {
  /** e_machine: 62 = x86-64, 183 = AArch64. */
  machine: number;
  machineName: string;
  /** For each needed shared library, the symbol versions it must provide. */
  versionNeeds: { file: string; versions: string[] }[];
}

export class ElfError extends Error {
  override name = 'ElfError';
}

function machineName(machine: number): string {
  if (machine === EM_X86_64) return 'x86-64';
  if (machine === EM_AARCH64) return 'aarch64';
  return `e_machine ${machine}`;
}

function cString(buf: Buffer, offset: number): string {
  const end = buf.indexOf(0, offset);
  return buf.toString('latin1', offset, end < 0 ? buf.length : end);
}

/** Parses a 64-bit little-endian ELF file (every Lambda architecture is one). */
export function parseElf(buf: Buffer, label = 'buffer'): ElfInfo {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) {
    throw new ElfError(`${label}: not an ELF file`);
  }
  if (buf[4] !== 2 || buf[5] !== 1) {
    throw new ElfError(`${label}: not a 64-bit little-endian ELF file`);
  }
  const machine = buf.readUInt16LE(0x12);
  const shoff = Number(buf.readBigUInt64LE(0x28));
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  if (shoff === 0 || shoff + shnum * shentsize > buf.length) {
    throw new ElfError(`${label}: section header table out of range`);
  }
  const section = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      type: buf.readUInt32LE(at + 4),
      offset: Number(buf.readBigUInt64LE(at + 0x18)),
      size: Number(buf.readBigUInt64LE(at + 0x20)),
      link: buf.readUInt32LE(at + 0x28),
      info: buf.readUInt32LE(at + 0x2c),
    };
  };

  const versionNeeds: ElfInfo['versionNeeds'] = [];
  for (let i = 0; i < shnum; i++) {
    const verneed = section(i);
    if (verneed.type !== SHT_GNU_VERNEED) continue;
    const strtab = section(verneed.link);
    let entry = verneed.offset;
    // sh_info holds the number of Verneed entries.
    for (let n = 0; n < verneed.info; n++) {
      const cnt = buf.readUInt16LE(entry + 2);
      const file = cString(buf, strtab.offset + buf.readUInt32LE(entry + 4));
      const versions: string[] = [];
      let aux = entry + buf.readUInt32LE(entry + 8);
      for (let k = 0; k < cnt; k++) {
        versions.push(cString(buf, strtab.offset + buf.readUInt32LE(aux + 8)));
        const next = buf.readUInt32LE(aux + 12);
        if (next === 0) break;
        aux += next;
      }
      versionNeeds.push({ file, versions });
      const next = buf.readUInt32LE(entry + 12);
      if (next === 0) break;
      entry += next;
    }
  }
  return { machine, machineName: machineName(machine), versionNeeds };
}

export function readElf(path: string): ElfInfo {
  return parseElf(readFileSync(path), path);
}

/** Compares dotted versions numerically: "2.34" vs "2.4". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The highest `<prefix>_x.y` version the file needs (prefix e.g. GLIBC, GLIBCXX), or undefined. */
export function maxSymbolVersion(info: ElfInfo, prefix: string): string | undefined {
  let max: string | undefined;
  const pattern = new RegExp(`^${prefix}_(\\d+(?:\\.\\d+)*)$`);
  for (const need of info.versionNeeds) {
    for (const v of need.versions) {
      const m = pattern.exec(v);
      if (m?.[1] && (max === undefined || compareVersions(m[1], max) > 0)) max = m[1];
    }
  }
  return max;
}

/** The highest GLIBC_x.y the file needs, or undefined when it needs none. */
export function maxGlibcVersion(info: ElfInfo): string | undefined {
  return maxSymbolVersion(info, 'GLIBC');
}
