// The line a throttle or a long client-side wait deserves in a log or a non-interactive terminal,
// so no wait is ever silent: the CLI's progress and the Lambda's log both print these.
import type { HttpEvent } from './types.ts';

/** Rate-limit waits at least this long get a line of their own; shorter ones are ordinary pacing. */
export const LONG_WAIT_MS = 10_000;

function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function waitNotice(e: HttpEvent): string | undefined {
  if (e.type === 'throttled') return `${e.app}: ${e.route} ${e.reason}; waiting ${secs(e.waitMs)}`;
  if (e.type === 'waiting' && e.waitMs >= LONG_WAIT_MS) return `${e.app}: ${e.route} waiting ${secs(e.waitMs)} for its turn on ${e.key} (${e.perMinute}/min)`;
  return undefined;
}
