// The order SQLite gives `ORDER BY external_id` (TEXT, BINARY collation: UTF-8 bytes), in JS.
// Walking two files side by side only works when both sides and the merge agree on it.

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * UTF-8 byte order. Without surrogates every UTF-16 unit is a code point, and code-point order is
 * UTF-8 order, so the native `<` is exact; only keys with characters past U+FFFF need the bytes.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  if (SURROGATE.test(a) || SURROGATE.test(b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

/** One step of a merge of two key-ordered walks: only in the older, only in the newer, or in both. */
export type Merged<A, B> = { side: 'older'; older: A } | { side: 'newer'; newer: B } | { side: 'both'; older: A; newer: B };

/** Merges two walks ordered by compareKeys into one pass; neither is held in memory. */
export function* mergeByKey<A, B>(older: Iterable<A>, newer: Iterable<B>, keyOfOlder: (a: A) => string, keyOfNewer: (b: B) => string): Generator<Merged<A, B>> {
  const a = older[Symbol.iterator]();
  const b = newer[Symbol.iterator]();
  let x = a.next();
  let y = b.next();
  try {
    while (!x.done || !y.done) {
      const order = x.done ? 1 : y.done ? -1 : compareKeys(keyOfOlder(x.value), keyOfNewer(y.value));
      if (order < 0) {
        yield { side: 'older', older: x.value as A };
        x = a.next();
      } else if (order > 0) {
        yield { side: 'newer', newer: y.value as B };
        y = b.next();
      } else {
        yield { side: 'both', older: x.value as A, newer: y.value as B };
        x = a.next();
        y = b.next();
      }
    }
  } finally {
    // A walk left early must release its cursor (a SQLite statement keeps its connection busy).
    if (!x.done) a.return?.();
    if (!y.done) b.return?.();
  }
}
