import { z } from 'zod';

/** An EventBridge rule's scheduled event (`rate(1 hour)` rules send this). */
const ruleEvent = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
  time: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.unknown().optional(),
});

/** The input an EventBridge Scheduler schedule sends (our stack sets it; context attributes filled in). */
const schedulerEvent = z.object({
  source: z.literal('aws.scheduler'),
  scheduleArn: z.string().optional(),
  scheduledTime: z.string().optional(),
});

/**
 * `aws lambda invoke --payload '{}'`, `'{"dryRun": true}'` or `'{"acceptShrink": true}'` (promote the
 * sync the shrink guard held back): strict, so a typo is an error, not an upload.
 */
const manualEvent = z.strictObject({ dryRun: z.boolean().optional(), acceptShrink: z.boolean().optional() });

export type Trigger = { kind: 'schedule'; time?: string } | { kind: 'manual'; dryRun: boolean } | { kind: 'accept-shrink' };

export function parseEvent(event: unknown): Trigger {
  const e = event ?? {};
  const rule = ruleEvent.safeParse(e);
  if (rule.success) return { kind: 'schedule', time: rule.data.time };
  const scheduler = schedulerEvent.safeParse(e);
  if (scheduler.success) return { kind: 'schedule', time: scheduler.data.scheduledTime };
  const manual = manualEvent.safeParse(e);
  if (manual.success && manual.data.acceptShrink) {
    if (manual.data.dryRun) throw new Error('{"acceptShrink": true} promotes the held sync; it cannot be a dry run (leave "dryRun" out)');
    return { kind: 'accept-shrink' };
  }
  if (manual.success) return { kind: 'manual', dryRun: manual.data.dryRun ?? false };
  const keys = e && typeof e === 'object' ? Object.keys(e).join(', ') : typeof e;
  throw new Error(
    `unrecognised event (keys: ${keys || 'none'}): send {} or {"dryRun": true} for a manual sync, {"acceptShrink": true} to accept a held sync; scheduled runs send an EventBridge "Scheduled Event"`,
  );
}
