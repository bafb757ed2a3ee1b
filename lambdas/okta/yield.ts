// A grants page whose rate-limit bucket has no budget left in this window gives its engine slot
// back instead of sleeping in it: the page is handed back unchanged (the engine queues it again),
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
