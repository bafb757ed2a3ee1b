// A handed-back page names the same page by a token that differs from the one it was asked with
// (the engine refuses a page that returns its own token).
import { describe, expect, it } from 'vitest';
import { handBack, pageOf } from '../../../lambdas/okta/yield.ts';

describe('handing a page back', () => {
  it('alternates a ~ mark, and the page it names stays the same', () => {
    let token: string | undefined;
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const next = handBack(token, 'u:');
      expect(next).not.toBe(token);
      expect(pageOf(next)).toBe('u:');
      seen.push(next);
      token = next;
    }
    expect(seen).toEqual(['~u:', 'u:', '~u:', 'u:']);
    expect(pageOf('~r:00g5')).toBe('r:00g5');
    expect(pageOf(undefined)).toBeUndefined();
  });
});
