// A grants page whose rate-limit bucket has no budget left in this window gives its engine slot
// back instead of sleeping in it: the page is handed back (the engine queues it again),
// so the slots work for the other buckets meanwhile. Groups and apps have separate buckets (the
// apps one is 100/min org-wide), and without this every slot could end up waiting on one of them.
import type { Bucket, OktaClient } from './client.ts';

/** Longest pause before handing a page back, so a queue of nothing but spent pages does not spin. */
const PAUSE_MS = 250;

/** True when the page should be handed back (after a short pause); false when it may proceed. */
export async function shouldYield(client: OktaClient, bucket: Bucket): Promise<boolean> {
  const wait = client.bucketWaitMs(bucket);
  if (wait <= 0) return false;
  await new Promise((resolve) => setTimeout(resolve, Math.min(wait, PAUSE_MS)));
  return client.bucketWaitMs(bucket) > 0;
}

/**
 * The token a handed-back page returns: the same page, marked by a leading `~` that alternates, since
 * the engine refuses a page whose next token equals the one it was asked with.
 */
export function handBack(token: string | undefined, first: string): string {
  const t = token ?? first;
  return t.startsWith('~') ? t.slice(1) : `~${t}`;
}

/** The page a token names, whether or not it was handed back. */
export function pageOf(token: string | undefined): string | undefined {
  return token?.startsWith('~') ? token.slice(1) : token;
}
