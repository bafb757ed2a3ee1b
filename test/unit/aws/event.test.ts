import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../../shared/aws/event.ts';

describe('events', () => {
  it('schedules, manual syncs, dry runs and accepting a held sync', () => {
    expect(parseEvent({ source: 'aws.events', 'detail-type': 'Scheduled Event', time: 't' })).toEqual({ kind: 'schedule', time: 't' });
    expect(parseEvent({})).toEqual({ kind: 'manual', dryRun: false });
    expect(parseEvent({ dryRun: true })).toEqual({ kind: 'manual', dryRun: true });
    expect(parseEvent({ acceptShrink: true })).toEqual({ kind: 'accept-shrink' });
    expect(parseEvent({ acceptShrink: false })).toEqual({ kind: 'manual', dryRun: false });
  });

  it('refuses an acceptance that is also a dry run, and typos', () => {
    expect(() => parseEvent({ acceptShrink: true, dryRun: true })).toThrow('{"acceptShrink": true} promotes the held sync; it cannot be a dry run');
    expect(() => parseEvent({ acceptshrink: true })).toThrow(/unrecognised event \(keys: acceptshrink\).*\{"acceptShrink": true\} to accept a held sync/);
  });
});
