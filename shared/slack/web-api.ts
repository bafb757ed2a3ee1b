// The Web API envelope every Slack method shares: `ok`, and cursor paging through
// `response_metadata.next_cursor` (an empty cursor ends the list).
import { z } from 'zod';

/** `response_metadata` → the next cursor, '' on the last page. */
export const nextCursor = z
  .object({ next_cursor: z.string().optional() })
  .optional()
  .transform((m) => m?.next_cursor ?? '');
