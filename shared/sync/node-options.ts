/** The function memory the old-space cap is sized for when none is given (the CDK app's default). */
export const DEFAULT_FUNCTION_MEMORY_MB = 1024;

/**
 * V8 flags for a process that runs a sync (Lambda NODE_OPTIONS, benchmark children).
 *
 * A sync allocates many short-lived objects per row; a 4 MB semi-space collects them young instead
 * of letting the young generation grow to 3 × 16 MB and promote garbage.
 *
 * The old-space cap is what keeps RSS near the live heap. A sync's live heap is small (pages in
 * flight, one batch of rows, the connector's maps: under 64 MB at the largest tenants benchmarked),
 * but with V8's default limit (a quarter of the machine's memory) the old generation may grow to
 * 4× its live size before a full collection, and every dead Buffer it still points to keeps its
 * malloc'd bytes (response bodies, encoded rows) until then: 100k Slack users peaked at 343 MB that
 * way, 241 MB with a 128 MB cap and the same speed. A cap at or under 128 MB also makes V8 grow the
 * heap by 1.3× per collection instead of 4×. One eighth of the function's memory, at least 128 MB:
 * a bigger function gets a proportionally bigger heap, so raising memoryMb is the remedy if a
 * tenant ever needs more ("JavaScript heap out of memory" in the log).
 */
export function syncNodeOptions(memoryMb = DEFAULT_FUNCTION_MEMORY_MB): string[] {
  return ['--max-semi-space-size=4', `--max-old-space-size=${Math.max(128, Math.floor(memoryMb / 8))}`];
}
