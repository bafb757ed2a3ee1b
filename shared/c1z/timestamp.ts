/**
 * Go's `2006-01-02 15:04:05.999999999` layout in UTC wall clock: fractional zeros trimmed, no zone.
 * Readers compare these as strings, so one layout everywhere keeps "latest sync" ordering right.
 */
export function sqliteTimestamp(d: Date = new Date()): string {
  const iso = d.toISOString(); // 2026-11-22T19:30:01.120Z
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return frac ? `${base}.${frac}` : base;
}
