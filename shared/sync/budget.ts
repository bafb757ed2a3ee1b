// When a slice stops starting pages. The Lambda measures it on the invocation's clock; tests count
// pages, so how many slices a sync takes never depends on how fast the machine is.
import { type Clock, systemClock } from '../http/clock.ts';

export interface SliceBudget {
  /** Epoch ms (on the system clock) no HTTP wait may end after; none when the budget is not time. */
  readonly deadline?: number;
  /** True once the slice may start no further page; `pagesStarted` counts this slice's pages. */
  spent(pagesStarted: number): boolean;
}

/** No limit: the slice runs the sync to its end. */
export const unlimitedBudget: SliceBudget = { spent: () => false };

/** Until `deadline` (epoch ms) on `clock`. */
export function deadlineBudget(deadline: number, clock: Clock = systemClock): SliceBudget {
  return { deadline, spent: () => clock.now() >= deadline };
}

/** Exactly `pages` page calls per slice, whatever the time. */
export function pageBudget(pages: number): SliceBudget {
  return { spent: (started) => started >= pages };
}
